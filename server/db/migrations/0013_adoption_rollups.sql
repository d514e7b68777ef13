CREATE TABLE `account_activity` (
	`workspace_id` text NOT NULL,
	`account_id` text NOT NULL,
	`latest` integer,
	PRIMARY KEY(`workspace_id`, `account_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `activity_days` (
	`workspace_id` text NOT NULL,
	`day` integer NOT NULL,
	`active` integer DEFAULT 0 NOT NULL,
	`latest` integer DEFAULT 0 NOT NULL,
	`fifth` integer DEFAULT 0 NOT NULL,
	`thirteenth` integer DEFAULT 0 NOT NULL,
	`accounts` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `feature_accounts` (
	`workspace_id` text NOT NULL,
	`feature_id` text NOT NULL,
	`account_id` text NOT NULL,
	`day` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `feature_id`, `account_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `feature_accounts_account` ON `feature_accounts` (`workspace_id`,`account_id`,`day`);--> statement-breakpoint
CREATE TABLE `feature_account_days` (
	`workspace_id` text NOT NULL,
	`feature_id` text NOT NULL,
	`day` integer NOT NULL,
	`accounts` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `feature_id`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `feature_gaps` (
	`workspace_id` text NOT NULL,
	`feature_id` text NOT NULL,
	`day` integer NOT NULL,
	`gap` integer NOT NULL,
	`users` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `feature_id`, `day`, `gap`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `feature_users` (
	`workspace_id` text NOT NULL,
	`feature_id` text NOT NULL,
	`user_id` text NOT NULL,
	`account_id` text NOT NULL,
	`day` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `feature_id`, `user_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `feature_users_account` ON `feature_users` (`workspace_id`,`feature_id`,`account_id`,`day`);--> statement-breakpoint
CREATE TABLE `user_activity` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`latest` integer NOT NULL,
	`fifth` integer,
	`thirteenth` integer,
	PRIMARY KEY(`workspace_id`, `user_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `feature_days_user` ON `feature_days` (`workspace_id`,`feature_id`,`user_id`,`day`);--> statement-breakpoint
-- The rows for what is already stored, with the same definitions the triggers below keep.
INSERT INTO `user_activity` (`workspace_id`, `user_id`, `latest`, `fifth`, `thirteenth`)
  SELECT `workspace_id`, `user_id`, max(CASE WHEN `n` = 1 THEN `day` END), max(CASE WHEN `n` = 5 THEN `day` END),
    max(CASE WHEN `n` = 13 THEN `day` END)
  FROM (SELECT `workspace_id`, `user_id`, `day`,
      row_number() OVER (PARTITION BY `workspace_id`, `user_id` ORDER BY `day` DESC) AS `n` FROM `user_days`)
  WHERE `n` IN (1, 5, 13)
  GROUP BY `workspace_id`, `user_id`;--> statement-breakpoint
INSERT INTO `activity_days` (`workspace_id`, `day`, `active`)
  SELECT `workspace_id`, `day`, count(*) FROM `user_days` GROUP BY `workspace_id`, `day`;--> statement-breakpoint
INSERT INTO `activity_days` (`workspace_id`, `day`, `latest`)
  SELECT `workspace_id`, `latest`, count(*) FROM `user_activity` WHERE true GROUP BY `workspace_id`, `latest`
  ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `latest` = excluded.`latest`;--> statement-breakpoint
INSERT INTO `activity_days` (`workspace_id`, `day`, `fifth`)
  SELECT `workspace_id`, `fifth`, count(*) FROM `user_activity` WHERE `fifth` IS NOT NULL GROUP BY `workspace_id`, `fifth`
  ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `fifth` = excluded.`fifth`;--> statement-breakpoint
INSERT INTO `activity_days` (`workspace_id`, `day`, `thirteenth`)
  SELECT `workspace_id`, `thirteenth`, count(*) FROM `user_activity` WHERE `thirteenth` IS NOT NULL
  GROUP BY `workspace_id`, `thirteenth`
  ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `thirteenth` = excluded.`thirteenth`;--> statement-breakpoint
INSERT INTO `account_activity` (`workspace_id`, `account_id`, `latest`)
  SELECT `u`.`workspace_id`, `u`.`account_id`, max(`a`.`latest`) FROM `users` AS `u`
  LEFT JOIN `user_activity` AS `a` ON `a`.`workspace_id` = `u`.`workspace_id` AND `a`.`user_id` = `u`.`id`
  WHERE `u`.`account_id` IS NOT NULL GROUP BY `u`.`workspace_id`, `u`.`account_id`;--> statement-breakpoint
INSERT INTO `activity_days` (`workspace_id`, `day`, `accounts`)
  SELECT `workspace_id`, `latest`, count(*) FROM `account_activity` WHERE `latest` IS NOT NULL GROUP BY `workspace_id`, `latest`
  ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `accounts` = excluded.`accounts`;--> statement-breakpoint
INSERT INTO `feature_gaps` (`workspace_id`, `feature_id`, `day`, `gap`, `users`)
  SELECT `workspace_id`, `feature_id`, `day`, min(coalesce(`day` - `previous`, 200), 200), count(*)
  FROM (SELECT `workspace_id`, `feature_id`, `day`,
      lag(`day`) OVER (PARTITION BY `workspace_id`, `feature_id`, `user_id` ORDER BY `day`) AS `previous`
    FROM (SELECT DISTINCT `workspace_id`, `feature_id`, `user_id`, `day` FROM `feature_days`))
  GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO `feature_users` (`workspace_id`, `feature_id`, `user_id`, `account_id`, `day`, `last_at`)
  SELECT `workspace_id`, `feature_id`, `user_id`, `account_id`, `day`, max(`last_at`) FROM `feature_days`
  GROUP BY `workspace_id`, `feature_id`, `user_id`;--> statement-breakpoint
INSERT INTO `feature_accounts` (`workspace_id`, `feature_id`, `account_id`, `day`)
  SELECT `workspace_id`, `feature_id`, `account_id`, max(`day`) FROM `feature_users`
  GROUP BY `workspace_id`, `feature_id`, `account_id`;--> statement-breakpoint
INSERT INTO `feature_account_days` (`workspace_id`, `feature_id`, `day`, `accounts`)
  SELECT `workspace_id`, `feature_id`, `day`, count(*) FROM `feature_accounts` GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO `feature_account_days` (`workspace_id`, `feature_id`, `day`, `active`)
  SELECT `f`.`workspace_id`, `f`.`feature_id`, min(`f`.`day`, `a`.`latest`), count(*) FROM `feature_accounts` AS `f`
  JOIN `account_activity` AS `a` ON `a`.`workspace_id` = `f`.`workspace_id` AND `a`.`account_id` = `f`.`account_id`
  WHERE `a`.`latest` IS NOT NULL GROUP BY 1, 2, 3
  ON CONFLICT (`workspace_id`, `feature_id`, `day`) DO UPDATE SET `active` = excluded.`active`;--> statement-breakpoint
-- A user's first event of a day (the ingest commit's upsert inserts a `user_days` row only then, in
-- any order of days): counted active that day, and their 1st, 5th and 13th most recent days re-read
-- (three short reads of their days, newest first).
CREATE TRIGGER `user_days_activity` AFTER INSERT ON `user_days` BEGIN
  INSERT INTO `activity_days` (`workspace_id`, `day`, `active`) VALUES (NEW.`workspace_id`, NEW.`day`, 1)
    ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `active` = `active` + 1;
  INSERT INTO `user_activity` (`workspace_id`, `user_id`, `latest`, `fifth`, `thirteenth`)
    VALUES (NEW.`workspace_id`, NEW.`user_id`,
      (SELECT max(`d`.`day`) FROM `user_days` AS `d` WHERE `d`.`workspace_id` = NEW.`workspace_id` AND `d`.`user_id` = NEW.`user_id`),
      (SELECT `d`.`day` FROM `user_days` AS `d` WHERE `d`.`workspace_id` = NEW.`workspace_id` AND `d`.`user_id` = NEW.`user_id`
        ORDER BY `d`.`day` DESC LIMIT 1 OFFSET 4),
      (SELECT `d`.`day` FROM `user_days` AS `d` WHERE `d`.`workspace_id` = NEW.`workspace_id` AND `d`.`user_id` = NEW.`user_id`
        ORDER BY `d`.`day` DESC LIMIT 1 OFFSET 12))
    ON CONFLICT (`workspace_id`, `user_id`) DO UPDATE SET `latest` = excluded.`latest`, `fifth` = excluded.`fifth`,
      `thirteenth` = excluded.`thirteenth`
    WHERE `latest` IS NOT excluded.`latest` OR `fifth` IS NOT excluded.`fifth` OR `thirteenth` IS NOT excluded.`thirteenth`;
END;--> statement-breakpoint
-- A user's days moved: the per-day counts follow, and their current account's latest active day.
CREATE TRIGGER `user_activity_added` AFTER INSERT ON `user_activity` BEGIN
  INSERT INTO `activity_days` (`workspace_id`, `day`, `latest`) VALUES (NEW.`workspace_id`, NEW.`latest`, 1)
    ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `latest` = `latest` + 1;
  INSERT INTO `activity_days` (`workspace_id`, `day`, `fifth`) SELECT NEW.`workspace_id`, NEW.`fifth`, 1
    WHERE NEW.`fifth` IS NOT NULL ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `fifth` = `fifth` + 1;
  INSERT INTO `activity_days` (`workspace_id`, `day`, `thirteenth`) SELECT NEW.`workspace_id`, NEW.`thirteenth`, 1
    WHERE NEW.`thirteenth` IS NOT NULL ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `thirteenth` = `thirteenth` + 1;
  INSERT INTO `account_activity` (`workspace_id`, `account_id`, `latest`)
    SELECT `u`.`workspace_id`, `u`.`account_id`, NEW.`latest` FROM `users` AS `u`
    WHERE `u`.`workspace_id` = NEW.`workspace_id` AND `u`.`id` = NEW.`user_id` AND `u`.`account_id` IS NOT NULL
    ON CONFLICT (`workspace_id`, `account_id`) DO UPDATE SET
      `latest` = max(coalesce(`latest`, excluded.`latest`), coalesce(excluded.`latest`, `latest`));
END;--> statement-breakpoint
CREATE TRIGGER `user_activity_moved` AFTER UPDATE ON `user_activity` BEGIN
  UPDATE `activity_days` SET `latest` = `latest` - 1 WHERE `workspace_id` = OLD.`workspace_id` AND `day` = OLD.`latest`;
  UPDATE `activity_days` SET `fifth` = `fifth` - 1 WHERE `workspace_id` = OLD.`workspace_id` AND `day` = OLD.`fifth`;
  UPDATE `activity_days` SET `thirteenth` = `thirteenth` - 1 WHERE `workspace_id` = OLD.`workspace_id` AND `day` = OLD.`thirteenth`;
  INSERT INTO `activity_days` (`workspace_id`, `day`, `latest`) VALUES (NEW.`workspace_id`, NEW.`latest`, 1)
    ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `latest` = `latest` + 1;
  INSERT INTO `activity_days` (`workspace_id`, `day`, `fifth`) SELECT NEW.`workspace_id`, NEW.`fifth`, 1
    WHERE NEW.`fifth` IS NOT NULL ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `fifth` = `fifth` + 1;
  INSERT INTO `activity_days` (`workspace_id`, `day`, `thirteenth`) SELECT NEW.`workspace_id`, NEW.`thirteenth`, 1
    WHERE NEW.`thirteenth` IS NOT NULL ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `thirteenth` = `thirteenth` + 1;
  INSERT INTO `account_activity` (`workspace_id`, `account_id`, `latest`)
    SELECT `u`.`workspace_id`, `u`.`account_id`, NEW.`latest` FROM `users` AS `u`
    WHERE `u`.`workspace_id` = NEW.`workspace_id` AND `u`.`id` = NEW.`user_id` AND `u`.`account_id` IS NOT NULL
    ON CONFLICT (`workspace_id`, `account_id`) DO UPDATE SET
      `latest` = max(coalesce(`latest`, excluded.`latest`), coalesce(excluded.`latest`, `latest`));
END;--> statement-breakpoint
-- A user joining an account (new, or moved from another, or leaving one): the accounts concerned
-- take the latest active day of their current members (one read of each account's members).
CREATE TRIGGER `account_activity_user_added` AFTER INSERT ON `users` WHEN NEW.`account_id` IS NOT NULL BEGIN
  INSERT INTO `account_activity` (`workspace_id`, `account_id`, `latest`)
    SELECT NEW.`workspace_id`, NEW.`account_id`, (SELECT `a`.`latest` FROM `user_activity` AS `a`
      WHERE `a`.`workspace_id` = NEW.`workspace_id` AND `a`.`user_id` = NEW.`id`) WHERE true
    ON CONFLICT (`workspace_id`, `account_id`) DO UPDATE SET
      `latest` = max(coalesce(`latest`, excluded.`latest`), coalesce(excluded.`latest`, `latest`));
END;--> statement-breakpoint
CREATE TRIGGER `account_activity_user_moved` AFTER UPDATE OF `account_id` ON `users`
WHEN NEW.`account_id` IS NOT OLD.`account_id` BEGIN
  UPDATE `account_activity` SET `latest` = (SELECT max(`a`.`latest`) FROM `users` AS `u`
      JOIN `user_activity` AS `a` ON `a`.`workspace_id` = `u`.`workspace_id` AND `a`.`user_id` = `u`.`id`
      WHERE `u`.`workspace_id` = OLD.`workspace_id` AND `u`.`account_id` = OLD.`account_id`)
    WHERE `workspace_id` = OLD.`workspace_id` AND `account_id` = OLD.`account_id`;
  INSERT INTO `account_activity` (`workspace_id`, `account_id`, `latest`)
    SELECT NEW.`workspace_id`, NEW.`account_id`, (SELECT `a`.`latest` FROM `user_activity` AS `a`
      WHERE `a`.`workspace_id` = NEW.`workspace_id` AND `a`.`user_id` = NEW.`id`) WHERE NEW.`account_id` IS NOT NULL
    ON CONFLICT (`workspace_id`, `account_id`) DO UPDATE SET
      `latest` = max(coalesce(`latest`, excluded.`latest`), coalesce(excluded.`latest`, `latest`));
END;--> statement-breakpoint
CREATE TRIGGER `account_activity_user_deleted` AFTER DELETE ON `users` WHEN OLD.`account_id` IS NOT NULL BEGIN
  UPDATE `account_activity` SET `latest` = (SELECT max(`a`.`latest`) FROM `users` AS `u`
      JOIN `user_activity` AS `a` ON `a`.`workspace_id` = `u`.`workspace_id` AND `a`.`user_id` = `u`.`id`
      WHERE `u`.`workspace_id` = OLD.`workspace_id` AND `u`.`account_id` = OLD.`account_id`)
    WHERE `workspace_id` = OLD.`workspace_id` AND `account_id` = OLD.`account_id`;
END;--> statement-breakpoint
-- A user's first use of a feature on a day (under any account; in any order of days): the day
-- counts with its gap to their previous use, and their next use's gap shrinks to it. Two reads of
-- the user's days with the feature (`feature_days_user`), whatever the number of users.
CREATE TRIGGER `feature_days_new_day` AFTER INSERT ON `feature_days`
WHEN NOT EXISTS (SELECT 1 FROM `feature_days` AS `f` WHERE `f`.`workspace_id` = NEW.`workspace_id`
  AND `f`.`feature_id` = NEW.`feature_id` AND `f`.`day` = NEW.`day` AND `f`.`user_id` = NEW.`user_id`
  AND `f`.`account_id` <> NEW.`account_id`) BEGIN
  UPDATE `feature_gaps` SET `users` = `users` - 1
    WHERE `workspace_id` = NEW.`workspace_id` AND `feature_id` = NEW.`feature_id`
      AND (`day`, `gap`) = (SELECT `n`.`day`, min(`n`.`day` - coalesce((SELECT max(`p`.`day`) FROM `feature_days` AS `p`
          WHERE `p`.`workspace_id` = NEW.`workspace_id` AND `p`.`feature_id` = NEW.`feature_id` AND `p`.`user_id` = NEW.`user_id`
            AND `p`.`day` < NEW.`day`), `n`.`day` - 200), 200)
        FROM `feature_days` AS `n` WHERE `n`.`workspace_id` = NEW.`workspace_id` AND `n`.`feature_id` = NEW.`feature_id`
          AND `n`.`user_id` = NEW.`user_id` AND `n`.`day` > NEW.`day` ORDER BY `n`.`day` LIMIT 1);
  INSERT INTO `feature_gaps` (`workspace_id`, `feature_id`, `day`, `gap`, `users`)
    SELECT NEW.`workspace_id`, NEW.`feature_id`, `n`.`day`, min(`n`.`day` - NEW.`day`, 200), 1
    FROM `feature_days` AS `n` WHERE `n`.`workspace_id` = NEW.`workspace_id` AND `n`.`feature_id` = NEW.`feature_id`
      AND `n`.`user_id` = NEW.`user_id` AND `n`.`day` > NEW.`day` ORDER BY `n`.`day` LIMIT 1
    ON CONFLICT (`workspace_id`, `feature_id`, `day`, `gap`) DO UPDATE SET `users` = `users` + 1;
  INSERT INTO `feature_gaps` (`workspace_id`, `feature_id`, `day`, `gap`, `users`)
    VALUES (NEW.`workspace_id`, NEW.`feature_id`, NEW.`day`, min(NEW.`day` - coalesce((SELECT max(`p`.`day`) FROM `feature_days` AS `p`
          WHERE `p`.`workspace_id` = NEW.`workspace_id` AND `p`.`feature_id` = NEW.`feature_id` AND `p`.`user_id` = NEW.`user_id`
            AND `p`.`day` < NEW.`day`), NEW.`day` - 200), 200), 1)
    ON CONFLICT (`workspace_id`, `feature_id`, `day`, `gap`) DO UPDATE SET `users` = `users` + 1;
END;--> statement-breakpoint
-- A use later than the user's latest so far (a new row, or a row's `last_at` moved on by the upsert)
-- becomes their latest, with its account.
CREATE TRIGGER `feature_days_latest` AFTER INSERT ON `feature_days` BEGIN
  INSERT INTO `feature_users` (`workspace_id`, `feature_id`, `user_id`, `account_id`, `day`, `last_at`)
    VALUES (NEW.`workspace_id`, NEW.`feature_id`, NEW.`user_id`, NEW.`account_id`, NEW.`day`, NEW.`last_at`)
    ON CONFLICT (`workspace_id`, `feature_id`, `user_id`) DO UPDATE SET `account_id` = excluded.`account_id`,
      `day` = excluded.`day`, `last_at` = excluded.`last_at` WHERE excluded.`last_at` > `last_at`;
END;--> statement-breakpoint
CREATE TRIGGER `feature_days_later` AFTER UPDATE OF `last_at` ON `feature_days` WHEN NEW.`last_at` > OLD.`last_at` BEGIN
  INSERT INTO `feature_users` (`workspace_id`, `feature_id`, `user_id`, `account_id`, `day`, `last_at`)
    VALUES (NEW.`workspace_id`, NEW.`feature_id`, NEW.`user_id`, NEW.`account_id`, NEW.`day`, NEW.`last_at`)
    ON CONFLICT (`workspace_id`, `feature_id`, `user_id`) DO UPDATE SET `account_id` = excluded.`account_id`,
      `day` = excluded.`day`, `last_at` = excluded.`last_at` WHERE excluded.`last_at` > `last_at`;
END;--> statement-breakpoint
-- An account's latest day among its users' latest uses: moves on with them, and when a user's latest
-- use moves to another account, the one left is re-read from its remaining users (one index read).
CREATE TRIGGER `feature_users_added` AFTER INSERT ON `feature_users` BEGIN
  INSERT INTO `feature_accounts` (`workspace_id`, `feature_id`, `account_id`, `day`)
    VALUES (NEW.`workspace_id`, NEW.`feature_id`, NEW.`account_id`, NEW.`day`)
    ON CONFLICT (`workspace_id`, `feature_id`, `account_id`) DO UPDATE SET `day` = max(`day`, excluded.`day`);
END;--> statement-breakpoint
CREATE TRIGGER `feature_users_moved` AFTER UPDATE ON `feature_users` BEGIN
  INSERT INTO `feature_accounts` (`workspace_id`, `feature_id`, `account_id`, `day`)
    VALUES (NEW.`workspace_id`, NEW.`feature_id`, NEW.`account_id`, NEW.`day`)
    ON CONFLICT (`workspace_id`, `feature_id`, `account_id`) DO UPDATE SET `day` = max(`day`, excluded.`day`);
  DELETE FROM `feature_accounts` WHERE `workspace_id` = OLD.`workspace_id` AND `feature_id` = OLD.`feature_id`
    AND `account_id` = OLD.`account_id` AND OLD.`account_id` <> NEW.`account_id`
    AND NOT EXISTS (SELECT 1 FROM `feature_users` AS `u` WHERE `u`.`workspace_id` = OLD.`workspace_id`
      AND `u`.`feature_id` = OLD.`feature_id` AND `u`.`account_id` = OLD.`account_id`);
  UPDATE `feature_accounts` SET `day` = (SELECT max(`u`.`day`) FROM `feature_users` AS `u`
      WHERE `u`.`workspace_id` = OLD.`workspace_id` AND `u`.`feature_id` = OLD.`feature_id` AND `u`.`account_id` = OLD.`account_id`)
    WHERE `workspace_id` = OLD.`workspace_id` AND `feature_id` = OLD.`feature_id` AND `account_id` = OLD.`account_id`
      AND OLD.`account_id` <> NEW.`account_id`;
END;--> statement-breakpoint
-- Per day, the accounts whose latest active day it is; per feature and day, the accounts whose use
-- (`feature_accounts`) or latest active day, the earlier, it is: each moves with the day it counts by.
CREATE TRIGGER `account_activity_added` AFTER INSERT ON `account_activity` WHEN NEW.`latest` IS NOT NULL BEGIN
  INSERT INTO `activity_days` (`workspace_id`, `day`, `accounts`) VALUES (NEW.`workspace_id`, NEW.`latest`, 1)
    ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `accounts` = `accounts` + 1;
  INSERT INTO `feature_account_days` (`workspace_id`, `feature_id`, `day`, `active`)
    SELECT `f`.`workspace_id`, `f`.`feature_id`, min(`f`.`day`, NEW.`latest`), 1 FROM `feature_accounts` AS `f`
    WHERE `f`.`workspace_id` = NEW.`workspace_id` AND `f`.`account_id` = NEW.`account_id`
    ON CONFLICT (`workspace_id`, `feature_id`, `day`) DO UPDATE SET `active` = `active` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `account_activity_moved` AFTER UPDATE OF `latest` ON `account_activity`
WHEN NEW.`latest` IS NOT OLD.`latest` BEGIN
  UPDATE `activity_days` SET `accounts` = `accounts` - 1 WHERE `workspace_id` = OLD.`workspace_id` AND `day` = OLD.`latest`;
  INSERT INTO `activity_days` (`workspace_id`, `day`, `accounts`) SELECT NEW.`workspace_id`, NEW.`latest`, 1
    WHERE NEW.`latest` IS NOT NULL ON CONFLICT (`workspace_id`, `day`) DO UPDATE SET `accounts` = `accounts` + 1;
  UPDATE `feature_account_days` SET `active` = `active` - 1 WHERE `workspace_id` = OLD.`workspace_id`
    AND (`feature_id`, `day`) IN (SELECT `f`.`feature_id`, min(`f`.`day`, OLD.`latest`) FROM `feature_accounts` AS `f`
      WHERE `f`.`workspace_id` = OLD.`workspace_id` AND `f`.`account_id` = OLD.`account_id`);
  INSERT INTO `feature_account_days` (`workspace_id`, `feature_id`, `day`, `active`)
    SELECT `f`.`workspace_id`, `f`.`feature_id`, min(`f`.`day`, NEW.`latest`), 1 FROM `feature_accounts` AS `f`
    WHERE `f`.`workspace_id` = NEW.`workspace_id` AND `f`.`account_id` = NEW.`account_id` AND NEW.`latest` IS NOT NULL
    ON CONFLICT (`workspace_id`, `feature_id`, `day`) DO UPDATE SET `active` = `active` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `feature_accounts_added` AFTER INSERT ON `feature_accounts` BEGIN
  INSERT INTO `feature_account_days` (`workspace_id`, `feature_id`, `day`, `accounts`)
    VALUES (NEW.`workspace_id`, NEW.`feature_id`, NEW.`day`, 1)
    ON CONFLICT (`workspace_id`, `feature_id`, `day`) DO UPDATE SET `accounts` = `accounts` + 1;
  INSERT INTO `feature_account_days` (`workspace_id`, `feature_id`, `day`, `active`)
    SELECT NEW.`workspace_id`, NEW.`feature_id`, min(NEW.`day`, `a`.`latest`), 1 FROM `account_activity` AS `a`
    WHERE `a`.`workspace_id` = NEW.`workspace_id` AND `a`.`account_id` = NEW.`account_id` AND `a`.`latest` IS NOT NULL
    ON CONFLICT (`workspace_id`, `feature_id`, `day`) DO UPDATE SET `active` = `active` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `feature_accounts_moved` AFTER UPDATE ON `feature_accounts` BEGIN
  UPDATE `feature_account_days` SET `accounts` = `accounts` - 1
    WHERE `workspace_id` = OLD.`workspace_id` AND `feature_id` = OLD.`feature_id` AND `day` = OLD.`day`;
  UPDATE `feature_account_days` SET `active` = `active` - 1
    WHERE `workspace_id` = OLD.`workspace_id` AND `feature_id` = OLD.`feature_id`
      AND `day` = (SELECT min(OLD.`day`, `a`.`latest`) FROM `account_activity` AS `a`
        WHERE `a`.`workspace_id` = OLD.`workspace_id` AND `a`.`account_id` = OLD.`account_id`);
  INSERT INTO `feature_account_days` (`workspace_id`, `feature_id`, `day`, `accounts`)
    VALUES (NEW.`workspace_id`, NEW.`feature_id`, NEW.`day`, 1)
    ON CONFLICT (`workspace_id`, `feature_id`, `day`) DO UPDATE SET `accounts` = `accounts` + 1;
  INSERT INTO `feature_account_days` (`workspace_id`, `feature_id`, `day`, `active`)
    SELECT NEW.`workspace_id`, NEW.`feature_id`, min(NEW.`day`, `a`.`latest`), 1 FROM `account_activity` AS `a`
    WHERE `a`.`workspace_id` = NEW.`workspace_id` AND `a`.`account_id` = NEW.`account_id` AND `a`.`latest` IS NOT NULL
    ON CONFLICT (`workspace_id`, `feature_id`, `day`) DO UPDATE SET `active` = `active` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `feature_accounts_removed` AFTER DELETE ON `feature_accounts` BEGIN
  UPDATE `feature_account_days` SET `accounts` = `accounts` - 1
    WHERE `workspace_id` = OLD.`workspace_id` AND `feature_id` = OLD.`feature_id` AND `day` = OLD.`day`;
  UPDATE `feature_account_days` SET `active` = `active` - 1
    WHERE `workspace_id` = OLD.`workspace_id` AND `feature_id` = OLD.`feature_id`
      AND `day` = (SELECT min(OLD.`day`, `a`.`latest`) FROM `account_activity` AS `a`
        WHERE `a`.`workspace_id` = OLD.`workspace_id` AND `a`.`account_id` = OLD.`account_id`);
END;
--> statement-breakpoint
CREATE TABLE `content_counts` (
	`workspace_id` text NOT NULL,
	`content_id` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`step_id` text NOT NULL,
	`users` integer NOT NULL,
	`shown` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `content_id`, `version`, `name`, `step_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `content_users_subject` ON `content_users` (`workspace_id`,`content_id`,`version`,`subject_id`,`anonymous`);--> statement-breakpoint
-- The spotlight funnel's counts for what is already stored: users per version, event and step, and
-- of those the ones the version was shown to (under any step).
INSERT INTO `content_counts` (`workspace_id`, `content_id`, `version`, `name`, `step_id`, `users`, `shown`)
  SELECT `c`.`workspace_id`, `c`.`content_id`, `c`.`version`, `c`.`name`, `c`.`step_id`, count(*),
    sum(EXISTS (SELECT 1 FROM `content_users` AS `s` WHERE `s`.`workspace_id` = `c`.`workspace_id`
      AND `s`.`content_id` = `c`.`content_id` AND `s`.`version` = `c`.`version` AND `s`.`subject_id` = `c`.`subject_id`
      AND `s`.`anonymous` = 0 AND `s`.`name` = '$waymark.spotlight_shown'))
  FROM `content_users` AS `c`
  WHERE `c`.`anonymous` = 0 AND `c`.`name` IN ('$waymark.spotlight_shown', '$waymark.spotlight_step_viewed',
    '$waymark.spotlight_completed', '$waymark.spotlight_dismissed')
  GROUP BY 1, 2, 3, 4, 5;--> statement-breakpoint
-- A user's first spotlight event of a kind and step (the ingest commit's upsert inserts a row only
-- then): counted, as shown when the version was shown to them; the first time it is shown to them,
-- their rows of other events and steps become shown too (a late display). Index reads of one person.
CREATE TRIGGER `content_counts_added` AFTER INSERT ON `content_users`
WHEN NEW.`anonymous` = 0 AND NEW.`name` IN ('$waymark.spotlight_shown', '$waymark.spotlight_step_viewed',
  '$waymark.spotlight_completed', '$waymark.spotlight_dismissed') BEGIN
  INSERT INTO `content_counts` (`workspace_id`, `content_id`, `version`, `name`, `step_id`, `users`, `shown`)
    VALUES (NEW.`workspace_id`, NEW.`content_id`, NEW.`version`, NEW.`name`, NEW.`step_id`, 1,
      EXISTS (SELECT 1 FROM `content_users` AS `s` WHERE `s`.`workspace_id` = NEW.`workspace_id`
        AND `s`.`content_id` = NEW.`content_id` AND `s`.`version` = NEW.`version` AND `s`.`subject_id` = NEW.`subject_id`
        AND `s`.`anonymous` = 0 AND `s`.`name` = '$waymark.spotlight_shown'))
    ON CONFLICT (`workspace_id`, `content_id`, `version`, `name`, `step_id`) DO UPDATE SET
      `users` = `users` + 1, `shown` = `shown` + excluded.`shown`;
  UPDATE `content_counts` SET `shown` = `shown` + 1
    WHERE NEW.`name` = '$waymark.spotlight_shown' AND `workspace_id` = NEW.`workspace_id`
      AND `content_id` = NEW.`content_id` AND `version` = NEW.`version`
      AND NOT EXISTS (SELECT 1 FROM `content_users` AS `s` WHERE `s`.`workspace_id` = NEW.`workspace_id`
        AND `s`.`content_id` = NEW.`content_id` AND `s`.`version` = NEW.`version` AND `s`.`subject_id` = NEW.`subject_id`
        AND `s`.`anonymous` = 0 AND `s`.`name` = '$waymark.spotlight_shown' AND `s`.`step_id` <> NEW.`step_id`)
      AND (`name`, `step_id`) IN (SELECT `c`.`name`, `c`.`step_id` FROM `content_users` AS `c`
        WHERE `c`.`workspace_id` = NEW.`workspace_id` AND `c`.`content_id` = NEW.`content_id` AND `c`.`version` = NEW.`version`
          AND `c`.`subject_id` = NEW.`subject_id` AND `c`.`anonymous` = 0
          AND NOT (`c`.`name` = NEW.`name` AND `c`.`step_id` = NEW.`step_id`));
END;
--> statement-breakpoint
-- User search by name or email prefix: the id in the index makes a page of matches in id order from
-- the index alone, then reads only that page's rows.
DROP INDEX `users_name`;--> statement-breakpoint
DROP INDEX `users_email`;--> statement-breakpoint
CREATE INDEX `users_name` ON `users` (`workspace_id`, lower(json_extract(`traits`, '$.name')), `id`);--> statement-breakpoint
CREATE INDEX `users_email` ON `users` (`workspace_id`, lower(json_extract(`traits`, '$.email')), `id`);
