CREATE TABLE `content_versions` (
	`workspace_id` text NOT NULL,
	`content_id` text NOT NULL,
	`version` integer NOT NULL,
	`content` text NOT NULL,
	`published_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `content_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `contents` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`draft` text NOT NULL,
	`draft_updated_at` integer NOT NULL,
	`published_version` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `contents_kind` ON `contents` (`workspace_id`,`kind`);--> statement-breakpoint
CREATE TABLE `survey_responses` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`survey_id` text NOT NULL,
	`version` integer NOT NULL,
	`user_id` text NOT NULL,
	`account_id` text,
	`score` integer NOT NULL,
	`comment` text,
	`responded_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `survey_responses_survey` ON `survey_responses` (`workspace_id`,`survey_id`,`responded_at`);--> statement-breakpoint
CREATE INDEX `survey_responses_user` ON `survey_responses` (`workspace_id`,`user_id`);--> statement-breakpoint
ALTER TABLE `workspaces` ADD `prompt_cooldown_hours` integer DEFAULT 72 NOT NULL;--> statement-breakpoint
INSERT INTO `contents` (`workspace_id`, `id`, `kind`, `name`, `status`, `draft`, `draft_updated_at`, `published_version`, `created_at`)
  SELECT `workspace_id`, `id`, 'checklist', `name`, `status`, `draft`, `draft_updated_at`, `published_version`, `created_at` FROM `checklists`;--> statement-breakpoint
INSERT INTO `content_versions` (`workspace_id`, `content_id`, `version`, `content`, `published_at`)
  SELECT `workspace_id`, `checklist_id`, `version`, `content`, `published_at` FROM `checklist_versions`;
