CREATE TABLE `checklist_versions` (
	`workspace_id` text NOT NULL,
	`checklist_id` text NOT NULL,
	`version` integer NOT NULL,
	`content` text NOT NULL,
	`published_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `checklist_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `checklists` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`draft` text NOT NULL,
	`draft_updated_at` integer NOT NULL,
	`published_version` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `goal_progress` (
	`workspace_id` text NOT NULL,
	`goal` text NOT NULL,
	`subject` text NOT NULL,
	`subject_id` text NOT NULL,
	`reached_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `goal`, `subject`, `subject_id`)
);
--> statement-breakpoint
CREATE INDEX `goal_progress_subject` ON `goal_progress` (`workspace_id`,`subject`,`subject_id`);--> statement-breakpoint
CREATE TABLE `milestones` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`rule` text NOT NULL,
	`is_value` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `milestones_key` ON `milestones` (`workspace_id`,`key`);--> statement-breakpoint
CREATE TABLE `revision_guard` (
	`id` integer PRIMARY KEY NOT NULL,
	`ok` integer NOT NULL,
	CONSTRAINT "revision_guard_ok" CHECK("revision_guard"."ok" = 1)
);
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `theme` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `goals_revision` integer DEFAULT 0 NOT NULL;