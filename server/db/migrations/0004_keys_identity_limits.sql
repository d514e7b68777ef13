CREATE TABLE `api_keys` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`lookup` text NOT NULL,
	`hint` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_lookup` ON `api_keys` (`lookup`);--> statement-breakpoint
CREATE TABLE `identity_traffic` (
	`workspace_id` text NOT NULL,
	`subject` text NOT NULL,
	`state` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `subject`, `state`)
);
--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`bucket` text NOT NULL,
	`window_start` integer NOT NULL,
	`hits` integer NOT NULL,
	PRIMARY KEY(`bucket`, `window_start`)
);
--> statement-breakpoint
CREATE INDEX `rate_limits_window` ON `rate_limits` (`window_start`);--> statement-breakpoint
-- Each workspace's keys move to api_keys before their columns go. A migrated secret key's hint
-- cannot show its last characters: only its hash was ever stored.
INSERT INTO `api_keys` (`workspace_id`, `id`, `kind`, `lookup`, `hint`, `created_at`)
  SELECT `id`, 'key_' || lower(hex(randomblob(8))), 'publishable', `publishable_key`,
    substr(`publishable_key`, 1, 7) || '…', `created_at` FROM `workspaces`;--> statement-breakpoint
INSERT INTO `api_keys` (`workspace_id`, `id`, `kind`, `lookup`, `hint`, `created_at`)
  SELECT `id`, 'key_' || lower(hex(randomblob(8))), 'secret', `secret_key_hash`, 'sk_…', `created_at`
  FROM `workspaces`;--> statement-breakpoint
DROP INDEX `workspaces_publishable_key_unique`;--> statement-breakpoint
DROP INDEX `workspaces_secret_key_hash_unique`;--> statement-breakpoint
ALTER TABLE `workspaces` DROP COLUMN `publishable_key`;--> statement-breakpoint
ALTER TABLE `workspaces` DROP COLUMN `secret_key_hash`;--> statement-breakpoint
ALTER TABLE `events` ADD `account_identity` text;--> statement-breakpoint
-- identity_traffic counts each stored message once: an INSERT that ON CONFLICT skips fires nothing.
INSERT INTO `identity_traffic` (`workspace_id`, `subject`, `state`, `count`)
  SELECT `workspace_id`, 'user', `identity`, count(*) FROM `events`
  WHERE `identity` IS NOT NULL GROUP BY `workspace_id`, `identity`;--> statement-breakpoint
CREATE TRIGGER `events_user_identity_traffic` AFTER INSERT ON `events` WHEN NEW.`identity` IS NOT NULL
BEGIN
  INSERT INTO `identity_traffic` (`workspace_id`, `subject`, `state`, `count`)
    VALUES (NEW.`workspace_id`, 'user', NEW.`identity`, 1)
    ON CONFLICT (`workspace_id`, `subject`, `state`) DO UPDATE SET `count` = `count` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `events_account_identity_traffic` AFTER INSERT ON `events` WHEN NEW.`account_identity` IS NOT NULL
BEGIN
  INSERT INTO `identity_traffic` (`workspace_id`, `subject`, `state`, `count`)
    VALUES (NEW.`workspace_id`, 'account', NEW.`account_identity`, 1)
    ON CONFLICT (`workspace_id`, `subject`, `state`) DO UPDATE SET `count` = `count` + 1;
END;
