CREATE TABLE `account_days` (
	`workspace_id` text NOT NULL,
	`account_id` text NOT NULL,
	`day` integer NOT NULL,
	`events` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `account_id`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `account_days_day` ON `account_days` (`workspace_id`,`day`,`account_id`);--> statement-breakpoint
CREATE TABLE `content_users` (
	`workspace_id` text NOT NULL,
	`content_id` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`step_id` text NOT NULL,
	`subject_id` text NOT NULL,
	`anonymous` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	`events` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `content_id`, `version`, `name`, `step_id`, `anonymous`, `subject_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `rollup_mark` (
	`id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `spotlight_misses` (
	`workspace_id` text NOT NULL,
	`content_id` text NOT NULL,
	`version` integer NOT NULL,
	`step_id` text NOT NULL,
	`selector` text NOT NULL,
	`url` text NOT NULL,
	`subject_id` text NOT NULL,
	`last_at` integer NOT NULL,
	`events` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `content_id`, `version`, `step_id`, `selector`, `url`, `subject_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `survey_prompt_days` (
	`workspace_id` text NOT NULL,
	`survey_id` text NOT NULL,
	`name` text NOT NULL,
	`day` integer NOT NULL,
	`subject_id` text NOT NULL,
	`anonymous` integer NOT NULL,
	`events` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `survey_id`, `name`, `day`, `anonymous`, `subject_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `user_days` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`day` integer NOT NULL,
	`events` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `user_id`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `user_days_day` ON `user_days` (`workspace_id`,`day`,`user_id`);--> statement-breakpoint
-- The rollups of the events already stored, with the expressions of server/ingest/rollups.ts; from
-- here on each ingestion commit adds its own events (those with a seq above rollup_mark).
INSERT INTO `rollup_mark` (`id`, `seq`) VALUES (1, (SELECT coalesce(max(`seq`), 0) FROM `events`));--> statement-breakpoint
INSERT INTO `user_days` (`workspace_id`, `user_id`, `day`, `events`)
  SELECT `workspace_id`, `user_id`, `timestamp` / 86400000, count(*) FROM `events`
  WHERE `user_id` IS NOT NULL GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO `account_days` (`workspace_id`, `account_id`, `day`, `events`)
  SELECT `workspace_id`, `account_id`, `timestamp` / 86400000, count(*) FROM `events`
  WHERE `account_id` IS NOT NULL GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO `content_users` (`workspace_id`, `content_id`, `version`, `name`, `step_id`, `subject_id`,
    `anonymous`, `first_at`, `last_at`, `events`)
  SELECT `workspace_id`, json_extract(`properties`, '$.contentId'), json_extract(`properties`, '$.version'),
    `name`, coalesce(json_extract(`properties`, '$.stepId'), ''), coalesce(`user_id`, `anonymous_id`),
    `user_id` IS NULL, min(`timestamp`), max(`timestamp`), count(*)
  FROM `events`
  WHERE `type` = 'track' AND `name` IN ('$waymark.checklist_shown', '$waymark.checklist_dismissed',
      '$waymark.spotlight_shown', '$waymark.spotlight_step_viewed', '$waymark.spotlight_completed',
      '$waymark.spotlight_dismissed')
    AND coalesce(`user_id`, `anonymous_id`) IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6, 7;--> statement-breakpoint
INSERT INTO `spotlight_misses` (`workspace_id`, `content_id`, `version`, `step_id`, `selector`, `url`,
    `subject_id`, `last_at`, `events`)
  SELECT `workspace_id`, json_extract(`properties`, '$.contentId'), json_extract(`properties`, '$.version'),
    json_extract(`properties`, '$.stepId'), json_extract(`properties`, '$.selector'),
    json_extract(`properties`, '$.url'), coalesce(`user_id`, `anonymous_id`), max(`timestamp`), count(*)
  FROM `events`
  WHERE `type` = 'track' AND `name` = '$waymark.spotlight_target_not_found'
    AND coalesce(`user_id`, `anonymous_id`) IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6, 7;--> statement-breakpoint
INSERT INTO `survey_prompt_days` (`workspace_id`, `survey_id`, `name`, `day`, `subject_id`, `anonymous`, `events`)
  SELECT `workspace_id`, json_extract(`properties`, '$.contentId'), `name`, `timestamp` / 86400000,
    coalesce(`user_id`, `anonymous_id`), `user_id` IS NULL, count(*)
  FROM `events`
  WHERE `type` = 'track' AND `name` IN ('$waymark.survey_shown', '$waymark.survey_dismissed')
    AND coalesce(`user_id`, `anonymous_id`) IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6;