ALTER TABLE `workspaces` ADD `content_revision` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `events_time` ON `events` (`workspace_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `events_user_name` ON `events` (`workspace_id`,`user_id`,`name`,`timestamp`);--> statement-breakpoint
CREATE INDEX `events_account_name` ON `events` (`workspace_id`,`account_id`,`name`,`timestamp`);