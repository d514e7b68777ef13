CREATE TABLE `account_health` (
	`workspace_id` text NOT NULL,
	`account_id` text NOT NULL,
	`day` text NOT NULL,
	`model_version` integer NOT NULL,
	`score` integer,
	`band` text NOT NULL,
	`coverage` real NOT NULL,
	`profile` text NOT NULL,
	`stage` text NOT NULL,
	`segment` text,
	`detail` text NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `account_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `account_health_day` ON `account_health` (`workspace_id`,`day`,`score`);--> statement-breakpoint
CREATE TABLE `account_health_current` (
	`workspace_id` text NOT NULL,
	`account_id` text NOT NULL,
	`day` text NOT NULL,
	`model_version` integer NOT NULL,
	`score` integer,
	`band` text NOT NULL,
	`coverage` real NOT NULL,
	`trend7` integer,
	`trend30` integer,
	`stage` text NOT NULL,
	`segment` text,
	`arr` real,
	`renewal_date` text,
	`top_driver` text,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `account_id`)
);
--> statement-breakpoint
CREATE INDEX `account_health_current_score` ON `account_health_current` (`workspace_id`,`score`);--> statement-breakpoint
CREATE INDEX `account_health_current_band` ON `account_health_current` (`workspace_id`,`band`,`score`);--> statement-breakpoint
CREATE TABLE `alert_settings` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`rules` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alerts` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`account_id` text NOT NULL,
	`rule` text NOT NULL,
	`day` text NOT NULL,
	`fired_at` integer NOT NULL,
	`score` integer,
	`previous_score` integer,
	`band` text NOT NULL,
	`previous_band` text,
	`drivers` text NOT NULL,
	`text` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_once` ON `alerts` (`workspace_id`,`account_id`,`rule`,`day`);--> statement-breakpoint
CREATE INDEX `alerts_fired` ON `alerts` (`workspace_id`,`fired_at`);--> statement-breakpoint
CREATE TABLE `core_features` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`events` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `core_features_key` ON `core_features` (`workspace_id`,`key`);--> statement-breakpoint
CREATE TABLE `health_models` (
	`workspace_id` text NOT NULL,
	`version` integer NOT NULL,
	`model` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `health_runs` (
	`workspace_id` text NOT NULL,
	`day` text NOT NULL,
	`status` text NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`cursor` text,
	`accounts` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	PRIMARY KEY(`workspace_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `accounts_name` ON `accounts` (`workspace_id`, lower(json_extract(`traits`, '$.name')));--> statement-breakpoint
CREATE INDEX `users_name` ON `users` (`workspace_id`, lower(json_extract(`traits`, '$.name')));--> statement-breakpoint
CREATE INDEX `users_email` ON `users` (`workspace_id`, lower(json_extract(`traits`, '$.email')));