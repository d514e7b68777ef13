CREATE TABLE `feature_days` (
	`workspace_id` text NOT NULL,
	`feature_id` text NOT NULL,
	`day` integer NOT NULL,
	`user_id` text NOT NULL,
	`account_id` text NOT NULL,
	`events` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `feature_id`, `day`, `user_id`, `account_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `feature_rebuilds` (
	`workspace_id` text NOT NULL,
	`feature_id` text NOT NULL,
	`generation` text NOT NULL,
	`until_seq` integer NOT NULL,
	`name_index` integer DEFAULT 0 NOT NULL,
	`after_timestamp` integer DEFAULT -9007199254740991 NOT NULL,
	`after_seq` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `feature_id`)
);--> statement-breakpoint
-- Every feature already defined is queued for its build from the stored events (seq up to now),
-- which the server runs in bounded chunks with the feature's compiled filters
-- (server/adoption/feature-days.ts); until it is built, its use is read from the events as before.
INSERT INTO `feature_rebuilds` (`workspace_id`, `feature_id`, `generation`, `until_seq`)
  SELECT `workspace_id`, `id`, 'migration', (SELECT coalesce(max(`seq`), 0) FROM `events`)
  FROM `core_features`;
