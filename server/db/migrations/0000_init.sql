CREATE TABLE `accounts` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`traits` text DEFAULT '{}' NOT NULL,
	`traits_at` integer DEFAULT 0 NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`message_id` text NOT NULL,
	`type` text NOT NULL,
	`name` text,
	`user_id` text,
	`anonymous_id` text,
	`account_id` text,
	`timestamp` integer NOT NULL,
	`received_at` integer NOT NULL,
	`properties` text,
	`traits` text,
	`context` text,
	`identity` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_message` ON `events` (`workspace_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `events_user_time` ON `events` (`workspace_id`,`user_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `events_account_time` ON `events` (`workspace_id`,`account_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `events_name_time` ON `events` (`workspace_id`,`name`,`timestamp`);--> statement-breakpoint
CREATE TABLE `users` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`account_id` text,
	`traits` text DEFAULT '{}' NOT NULL,
	`traits_at` integer DEFAULT 0 NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `users_account` ON `users` (`workspace_id`,`account_id`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`publishable_key` text NOT NULL,
	`secret_key_hash` text NOT NULL,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`identity_verification` text DEFAULT 'off' NOT NULL,
	`identity_secrets` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_publishable_key_unique` ON `workspaces` (`publishable_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_secret_key_hash_unique` ON `workspaces` (`secret_key_hash`);