CREATE TABLE `ttv_days` (
	`workspace_id` text NOT NULL,
	`milestone_id` text NOT NULL,
	`subject` text NOT NULL,
	`first_day` integer NOT NULL,
	`took_day` integer NOT NULL,
	`subjects` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `milestone_id`, `subject`, `first_day`, `took_day`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `ttv_subjects` (
	`workspace_id` text NOT NULL,
	`milestone_id` text NOT NULL,
	`subject` text NOT NULL,
	`subject_id` text NOT NULL,
	`first_seen` integer NOT NULL,
	`took` integer,
	`took_day` integer NOT NULL,
	`account_id` text,
	PRIMARY KEY(`workspace_id`, `milestone_id`, `subject`, `subject_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `ttv_subjects_first_seen` ON `ttv_subjects` (`workspace_id`,`milestone_id`,`subject`,`first_seen`,`took`);--> statement-breakpoint
CREATE INDEX `ttv_subjects_took` ON `ttv_subjects` (`workspace_id`,`milestone_id`,`subject`,`took_day`,`took`,`first_seen`);--> statement-breakpoint
CREATE TABLE `user_day_gaps` (
	`workspace_id` text NOT NULL,
	`day` integer NOT NULL,
	`previous_day` integer NOT NULL,
	`users` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`, `previous_day`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `survey_responses` ADD `next_at` integer;--> statement-breakpoint
CREATE INDEX `survey_responses_latest` ON `survey_responses` (`workspace_id`,`survey_id`,`responded_at`,`next_at`,`score`,`account_id`);--> statement-breakpoint
-- Each person's next response to a survey (by time, then id), for the responses already stored;
-- from here on the triggers below keep it as responses arrive or move earlier.
UPDATE `survey_responses` SET `next_at` = `later`.`next_at`
  FROM (SELECT `workspace_id`, `id`, lead(`responded_at`) OVER (PARTITION BY `workspace_id`, `survey_id`, `user_id`
      ORDER BY `responded_at`, `id`) AS `next_at` FROM `survey_responses`) AS `later`
  WHERE `later`.`next_at` IS NOT NULL AND `survey_responses`.`workspace_id` = `later`.`workspace_id`
    AND `survey_responses`.`id` = `later`.`id`;--> statement-breakpoint
-- A response stored, or its time moved earlier (a late event of the same response): the person's
-- responses to that survey (a handful, by the user index, which the survey's indexes must not take
-- over: they would walk the survey's later responses) take their next one again.
CREATE TRIGGER `survey_responses_next_new` AFTER INSERT ON `survey_responses` BEGIN
  UPDATE `survey_responses` SET `next_at` = (SELECT `n`.`responded_at` FROM `survey_responses` AS `n` INDEXED BY `survey_responses_user`
      WHERE `n`.`workspace_id` = `survey_responses`.`workspace_id` AND `n`.`user_id` = `survey_responses`.`user_id`
        AND `n`.`survey_id` = `survey_responses`.`survey_id`
        AND (`n`.`responded_at`, `n`.`id`) > (`survey_responses`.`responded_at`, `survey_responses`.`id`)
      ORDER BY `n`.`responded_at`, `n`.`id` LIMIT 1)
    WHERE `workspace_id` = NEW.`workspace_id` AND `user_id` = NEW.`user_id` AND +`survey_id` = NEW.`survey_id`;
END;--> statement-breakpoint
CREATE TRIGGER `survey_responses_next_moved` AFTER UPDATE OF `responded_at` ON `survey_responses`
WHEN NEW.`responded_at` IS NOT OLD.`responded_at` BEGIN
  UPDATE `survey_responses` SET `next_at` = (SELECT `n`.`responded_at` FROM `survey_responses` AS `n` INDEXED BY `survey_responses_user`
      WHERE `n`.`workspace_id` = `survey_responses`.`workspace_id` AND `n`.`user_id` = `survey_responses`.`user_id`
        AND `n`.`survey_id` = `survey_responses`.`survey_id`
        AND (`n`.`responded_at`, `n`.`id`) > (`survey_responses`.`responded_at`, `survey_responses`.`id`)
      ORDER BY `n`.`responded_at`, `n`.`id` LIMIT 1)
    WHERE `workspace_id` = NEW.`workspace_id` AND `user_id` = NEW.`user_id` AND +`survey_id` = NEW.`survey_id`;
END;--> statement-breakpoint
-- Users active per day by their previous active day, for the days already stored.
INSERT INTO `user_day_gaps` (`workspace_id`, `day`, `previous_day`, `users`)
  SELECT `workspace_id`, `day`, `previous_day`, count(*) FROM (SELECT `workspace_id`, `day`,
      coalesce(lag(`day`) OVER (PARTITION BY `workspace_id`, `user_id` ORDER BY `day`), -1) AS `previous_day`
    FROM `user_days`)
  GROUP BY 1, 2, 3;--> statement-breakpoint
-- A user's new active day (the ingestion commit's upsert inserts a row only for a user's first event
-- of a day) slots in between the user's previous day p and next day n: n's gap from p becomes a gap
-- from the new day, and the new day counts with p (-1: none). Two probes of the user's days.
CREATE TRIGGER `user_day_gaps_day` AFTER INSERT ON `user_days` BEGIN
  UPDATE `user_day_gaps` SET `users` = `users` - 1
    WHERE `workspace_id` = NEW.`workspace_id`
      AND `day` = (SELECT min(`d`.`day`) FROM `user_days` AS `d` WHERE `d`.`workspace_id` = NEW.`workspace_id`
        AND `d`.`user_id` = NEW.`user_id` AND `d`.`day` > NEW.`day`)
      AND `previous_day` = coalesce((SELECT max(`d`.`day`) FROM `user_days` AS `d` WHERE `d`.`workspace_id` = NEW.`workspace_id`
        AND `d`.`user_id` = NEW.`user_id` AND `d`.`day` < NEW.`day`), -1);
  INSERT INTO `user_day_gaps` (`workspace_id`, `day`, `previous_day`, `users`)
    SELECT NEW.`workspace_id`, `n`.`day`, NEW.`day`, 1 FROM (SELECT min(`d`.`day`) AS `day` FROM `user_days` AS `d`
      WHERE `d`.`workspace_id` = NEW.`workspace_id` AND `d`.`user_id` = NEW.`user_id` AND `d`.`day` > NEW.`day`) AS `n`
    WHERE `n`.`day` IS NOT NULL
    ON CONFLICT (`workspace_id`, `day`, `previous_day`) DO UPDATE SET `users` = `users` + 1;
  INSERT INTO `user_day_gaps` (`workspace_id`, `day`, `previous_day`, `users`)
    SELECT NEW.`workspace_id`, NEW.`day`, coalesce((SELECT max(`d`.`day`) FROM `user_days` AS `d`
      WHERE `d`.`workspace_id` = NEW.`workspace_id` AND `d`.`user_id` = NEW.`user_id` AND `d`.`day` < NEW.`day`), -1), 1
    WHERE true
    ON CONFLICT (`workspace_id`, `day`, `previous_day`) DO UPDATE SET `users` = `users` + 1;
  DELETE FROM `user_day_gaps` WHERE `workspace_id` = NEW.`workspace_id` AND `users` = 0
    AND `day` = (SELECT min(`d`.`day`) FROM `user_days` AS `d` WHERE `d`.`workspace_id` = NEW.`workspace_id`
      AND `d`.`user_id` = NEW.`user_id` AND `d`.`day` > NEW.`day`);
END;--> statement-breakpoint
-- Each user's and account's time to each milestone, from the tables it depends on (README, "Time to
-- value"): took is the milestone's first time minus the first-seen time, never below 0, null until
-- reached; took_day is took in whole days rounded up (so took <= 7 days exactly when took_day <= 7),
-- -1 until reached.
CREATE VIEW `ttv_subject_state` AS
SELECT `m`.`workspace_id`, `m`.`id` AS `milestone_id`, 'user' AS `subject`, `u`.`id` AS `subject_id`, `u`.`first_seen`,
  max(0, `g`.`reached_at` - `u`.`first_seen`) AS `took`,
  coalesce((max(0, `g`.`reached_at` - `u`.`first_seen`) + 86399999) / 86400000, -1) AS `took_day`,
  `u`.`account_id`
FROM `milestones` AS `m` JOIN `users` AS `u` ON `u`.`workspace_id` = `m`.`workspace_id`
LEFT JOIN `goal_progress` AS `g` ON `g`.`workspace_id` = `m`.`workspace_id` AND `g`.`goal` = 'milestone:' || `m`.`id`
  AND `g`.`subject` = 'user' AND `g`.`subject_id` = `u`.`id`
UNION ALL
SELECT `m`.`workspace_id`, `m`.`id`, 'account', `a`.`id`, `a`.`first_seen`,
  max(0, `g`.`reached_at` - `a`.`first_seen`),
  coalesce((max(0, `g`.`reached_at` - `a`.`first_seen`) + 86399999) / 86400000, -1), `a`.`id`
FROM `milestones` AS `m` JOIN `accounts` AS `a` ON `a`.`workspace_id` = `m`.`workspace_id`
LEFT JOIN `goal_progress` AS `g` ON `g`.`workspace_id` = `m`.`workspace_id` AND `g`.`goal` = 'milestone:' || `m`.`id`
  AND `g`.`subject` = 'account' AND `g`.`subject_id` = `a`.`id`;--> statement-breakpoint
INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
  SELECT * FROM `ttv_subject_state`;--> statement-breakpoint
INSERT INTO `ttv_days` (`workspace_id`, `milestone_id`, `subject`, `first_day`, `took_day`, `subjects`)
  SELECT `workspace_id`, `milestone_id`, `subject`, `first_seen` / 86400000, `took_day`, count(*)
  FROM `ttv_subjects` GROUP BY 1, 2, 3, 4, 5;--> statement-breakpoint
-- ttv_days counts ttv_subjects: each row added, moved or removed moves one count.
CREATE TRIGGER `ttv_days_added` AFTER INSERT ON `ttv_subjects` BEGIN
  INSERT INTO `ttv_days` (`workspace_id`, `milestone_id`, `subject`, `first_day`, `took_day`, `subjects`)
    VALUES (NEW.`workspace_id`, NEW.`milestone_id`, NEW.`subject`, NEW.`first_seen` / 86400000, NEW.`took_day`, 1)
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `first_day`, `took_day`) DO UPDATE SET `subjects` = `subjects` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `ttv_days_moved` AFTER UPDATE ON `ttv_subjects`
WHEN NEW.`first_seen` / 86400000 IS NOT OLD.`first_seen` / 86400000 OR NEW.`took_day` IS NOT OLD.`took_day` BEGIN
  UPDATE `ttv_days` SET `subjects` = `subjects` - 1 WHERE `workspace_id` = OLD.`workspace_id` AND `milestone_id` = OLD.`milestone_id`
    AND `subject` = OLD.`subject` AND `first_day` = OLD.`first_seen` / 86400000 AND `took_day` = OLD.`took_day`;
  DELETE FROM `ttv_days` WHERE `workspace_id` = OLD.`workspace_id` AND `milestone_id` = OLD.`milestone_id`
    AND `subject` = OLD.`subject` AND `first_day` = OLD.`first_seen` / 86400000 AND `took_day` = OLD.`took_day` AND `subjects` = 0;
  INSERT INTO `ttv_days` (`workspace_id`, `milestone_id`, `subject`, `first_day`, `took_day`, `subjects`)
    VALUES (NEW.`workspace_id`, NEW.`milestone_id`, NEW.`subject`, NEW.`first_seen` / 86400000, NEW.`took_day`, 1)
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `first_day`, `took_day`) DO UPDATE SET `subjects` = `subjects` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `ttv_days_removed` AFTER DELETE ON `ttv_subjects` BEGIN
  UPDATE `ttv_days` SET `subjects` = `subjects` - 1 WHERE `workspace_id` = OLD.`workspace_id` AND `milestone_id` = OLD.`milestone_id`
    AND `subject` = OLD.`subject` AND `first_day` = OLD.`first_seen` / 86400000 AND `took_day` = OLD.`took_day`;
  DELETE FROM `ttv_days` WHERE `workspace_id` = OLD.`workspace_id` AND `milestone_id` = OLD.`milestone_id`
    AND `subject` = OLD.`subject` AND `first_day` = OLD.`first_seen` / 86400000 AND `took_day` = OLD.`took_day` AND `subjects` = 0;
END;--> statement-breakpoint
-- A user or account seen for the first time, or earlier than thought (a late event), or a user moved
-- to another account: its row per milestone.
CREATE TRIGGER `ttv_subjects_user` AFTER INSERT ON `users` BEGIN
  INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
    SELECT * FROM `ttv_subject_state` WHERE `workspace_id` = NEW.`workspace_id` AND `subject` = 'user' AND `subject_id` = NEW.`id`
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `subject_id`) DO UPDATE SET
      `first_seen` = excluded.`first_seen`, `took` = excluded.`took`, `took_day` = excluded.`took_day`, `account_id` = excluded.`account_id`;
END;--> statement-breakpoint
CREATE TRIGGER `ttv_subjects_user_seen` AFTER UPDATE OF `first_seen`, `account_id` ON `users`
WHEN NEW.`first_seen` IS NOT OLD.`first_seen` OR NEW.`account_id` IS NOT OLD.`account_id` BEGIN
  INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
    SELECT * FROM `ttv_subject_state` WHERE `workspace_id` = NEW.`workspace_id` AND `subject` = 'user' AND `subject_id` = NEW.`id`
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `subject_id`) DO UPDATE SET
      `first_seen` = excluded.`first_seen`, `took` = excluded.`took`, `took_day` = excluded.`took_day`, `account_id` = excluded.`account_id`;
END;--> statement-breakpoint
CREATE TRIGGER `ttv_subjects_account` AFTER INSERT ON `accounts` BEGIN
  INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
    SELECT * FROM `ttv_subject_state` WHERE `workspace_id` = NEW.`workspace_id` AND `subject` = 'account' AND `subject_id` = NEW.`id`
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `subject_id`) DO UPDATE SET
      `first_seen` = excluded.`first_seen`, `took` = excluded.`took`, `took_day` = excluded.`took_day`, `account_id` = excluded.`account_id`;
END;--> statement-breakpoint
CREATE TRIGGER `ttv_subjects_account_seen` AFTER UPDATE OF `first_seen` ON `accounts`
WHEN NEW.`first_seen` IS NOT OLD.`first_seen` BEGIN
  INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
    SELECT * FROM `ttv_subject_state` WHERE `workspace_id` = NEW.`workspace_id` AND `subject` = 'account' AND `subject_id` = NEW.`id`
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `subject_id`) DO UPDATE SET
      `first_seen` = excluded.`first_seen`, `took` = excluded.`took`, `took_day` = excluded.`took_day`, `account_id` = excluded.`account_id`;
END;--> statement-breakpoint
-- A milestone reached, reached earlier, or its progress cleared (a milestone's rule changed).
CREATE TRIGGER `ttv_subjects_reached` AFTER INSERT ON `goal_progress` WHEN NEW.`goal` LIKE 'milestone:%' BEGIN
  INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
    SELECT * FROM `ttv_subject_state` WHERE `workspace_id` = NEW.`workspace_id` AND `milestone_id` = substr(NEW.`goal`, 11) AND `subject` = NEW.`subject` AND `subject_id` = NEW.`subject_id`
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `subject_id`) DO UPDATE SET
      `first_seen` = excluded.`first_seen`, `took` = excluded.`took`, `took_day` = excluded.`took_day`, `account_id` = excluded.`account_id`;
END;--> statement-breakpoint
CREATE TRIGGER `ttv_subjects_reached_moved` AFTER UPDATE OF `reached_at` ON `goal_progress`
WHEN NEW.`goal` LIKE 'milestone:%' AND NEW.`reached_at` IS NOT OLD.`reached_at` BEGIN
  INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
    SELECT * FROM `ttv_subject_state` WHERE `workspace_id` = NEW.`workspace_id` AND `milestone_id` = substr(NEW.`goal`, 11) AND `subject` = NEW.`subject` AND `subject_id` = NEW.`subject_id`
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `subject_id`) DO UPDATE SET
      `first_seen` = excluded.`first_seen`, `took` = excluded.`took`, `took_day` = excluded.`took_day`, `account_id` = excluded.`account_id`;
END;--> statement-breakpoint
CREATE TRIGGER `ttv_subjects_cleared` AFTER DELETE ON `goal_progress` WHEN OLD.`goal` LIKE 'milestone:%' BEGIN
  INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
    SELECT * FROM `ttv_subject_state` WHERE `workspace_id` = OLD.`workspace_id` AND `milestone_id` = substr(OLD.`goal`, 11) AND `subject` = OLD.`subject` AND `subject_id` = OLD.`subject_id`
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `subject_id`) DO UPDATE SET
      `first_seen` = excluded.`first_seen`, `took` = excluded.`took`, `took_day` = excluded.`took_day`, `account_id` = excluded.`account_id`;
END;--> statement-breakpoint
-- A milestone created: a row for every user and account of the workspace (its goal's backfill then
-- moves the ones that reached it); deleted: its rows go.
CREATE TRIGGER `ttv_subjects_milestone` AFTER INSERT ON `milestones` BEGIN
  INSERT INTO `ttv_subjects` (`workspace_id`, `milestone_id`, `subject`, `subject_id`, `first_seen`, `took`, `took_day`, `account_id`)
    SELECT * FROM `ttv_subject_state` WHERE `workspace_id` = NEW.`workspace_id` AND `milestone_id` = NEW.`id`
    ON CONFLICT (`workspace_id`, `milestone_id`, `subject`, `subject_id`) DO UPDATE SET
      `first_seen` = excluded.`first_seen`, `took` = excluded.`took`, `took_day` = excluded.`took_day`, `account_id` = excluded.`account_id`;
END;--> statement-breakpoint
CREATE TRIGGER `ttv_subjects_milestone_deleted` AFTER DELETE ON `milestones` BEGIN
  DELETE FROM `ttv_subjects` WHERE `workspace_id` = OLD.`workspace_id` AND `milestone_id` = OLD.`id`;
END;
