CREATE TABLE `checklist_viewers` (
	`workspace_id` text NOT NULL,
	`checklist_id` text NOT NULL,
	`version` integer NOT NULL,
	`user_id` text NOT NULL,
	`shown_at` integer NOT NULL,
	`done` integer NOT NULL,
	`took` integer,
	PRIMARY KEY(`workspace_id`, `checklist_id`, `version`, `user_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `checklist_viewers_user` ON `checklist_viewers` (`workspace_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `checklist_viewers_took` ON `checklist_viewers` (`workspace_id`,`checklist_id`,`version`,`took`);--> statement-breakpoint
ALTER TABLE `survey_prompt_days` ADD `previous_day` integer;--> statement-breakpoint
CREATE INDEX `survey_prompt_days_subject` ON `survey_prompt_days` (`workspace_id`,`survey_id`,`name`,`anonymous`,`subject_id`,`day`);--> statement-breakpoint
-- Each person's previous day with a survey and event, for the days already stored; from here on the
-- trigger below keeps it as days arrive, in any order.
UPDATE `survey_prompt_days` SET `previous_day` = `prior`.`day`
  FROM (SELECT `workspace_id`, `survey_id`, `name`, `day` AS `at`, `anonymous`, `subject_id`,
      lag(`day`) OVER (PARTITION BY `workspace_id`, `survey_id`, `name`, `anonymous`, `subject_id` ORDER BY `day`) AS `day`
    FROM `survey_prompt_days`) AS `prior`
  WHERE `prior`.`day` IS NOT NULL AND `survey_prompt_days`.`workspace_id` = `prior`.`workspace_id`
    AND `survey_prompt_days`.`survey_id` = `prior`.`survey_id` AND `survey_prompt_days`.`name` = `prior`.`name`
    AND `survey_prompt_days`.`day` = `prior`.`at` AND `survey_prompt_days`.`anonymous` = `prior`.`anonymous`
    AND `survey_prompt_days`.`subject_id` = `prior`.`subject_id`;--> statement-breakpoint
-- A new day (the ingestion commit's upsert inserts a row only for a person's first event of a day)
-- takes the latest day before it as its previous, and becomes the previous of the first day after
-- it: a late day slots in between. Two index reads of one person's days.
CREATE TRIGGER `survey_prompt_days_previous` AFTER INSERT ON `survey_prompt_days` BEGIN
  UPDATE `survey_prompt_days` SET `previous_day` = (SELECT max(`p`.`day`) FROM `survey_prompt_days` AS `p`
      WHERE `p`.`workspace_id` = NEW.`workspace_id` AND `p`.`survey_id` = NEW.`survey_id` AND `p`.`name` = NEW.`name`
        AND `p`.`anonymous` = NEW.`anonymous` AND `p`.`subject_id` = NEW.`subject_id` AND `p`.`day` < NEW.`day`)
    WHERE `workspace_id` = NEW.`workspace_id` AND `survey_id` = NEW.`survey_id` AND `name` = NEW.`name`
      AND `day` = NEW.`day` AND `anonymous` = NEW.`anonymous` AND `subject_id` = NEW.`subject_id`;
  UPDATE `survey_prompt_days` SET `previous_day` = NEW.`day`
    WHERE `workspace_id` = NEW.`workspace_id` AND `survey_id` = NEW.`survey_id` AND `name` = NEW.`name`
      AND `anonymous` = NEW.`anonymous` AND `subject_id` = NEW.`subject_id`
      AND `day` = (SELECT min(`p`.`day`) FROM `survey_prompt_days` AS `p`
        WHERE `p`.`workspace_id` = NEW.`workspace_id` AND `p`.`survey_id` = NEW.`survey_id` AND `p`.`name` = NEW.`name`
          AND `p`.`anonymous` = NEW.`anonymous` AND `p`.`subject_id` = NEW.`subject_id` AND `p`.`day` > NEW.`day`);
END;
--> statement-breakpoint
-- Where each user a checklist version was shown to stands, computed from the tables it depends on,
-- as the funnel defines it (README, "Checklists"): the items done by the user, or by anyone in their
-- account when the checklist is account-wide; when the last required item was done after it was
-- first shown. Item i is bit i of `done`. A milestone item reads its milestone's goal by key.
CREATE VIEW `checklist_viewer_state` AS
SELECT `v`.`workspace_id`, `v`.`checklist_id`, `v`.`version`, `v`.`user_id`, `v`.`shown_at`,
  (SELECT coalesce(sum(1 << `i`.`key`), 0) FROM json_each(`v`.`content`, '$.items') AS `i`
    WHERE EXISTS (SELECT `g`.`reached_at` FROM `goal_progress` AS `g`
        WHERE `g`.`workspace_id` = `v`.`workspace_id` AND `g`.`goal` = CASE WHEN `i`.`value` ->> '$.completion.kind' = 'milestone'
          THEN 'milestone:' || coalesce((SELECT `m`.`id` FROM `milestones` AS `m`
            WHERE `m`.`workspace_id` = `v`.`workspace_id` AND `m`.`key` = `i`.`value` ->> '$.completion.milestone'), '')
          ELSE 'item:' || `v`.`checklist_id` || ':' || (`i`.`value` ->> '$.id') END
          AND `g`.`subject` = `v`.`subject` AND `g`.`subject_id` = `v`.`subject_id`)) AS `done`,
  (SELECT CASE WHEN count(`item`.`at`) = count(*)
      THEN max(0, coalesce(max(`item`.`at`), `v`.`shown_at`) - `v`.`shown_at`) END
    FROM (SELECT (SELECT `g`.`reached_at` FROM `goal_progress` AS `g`
        WHERE `g`.`workspace_id` = `v`.`workspace_id` AND `g`.`goal` = CASE WHEN `i`.`value` ->> '$.completion.kind' = 'milestone'
          THEN 'milestone:' || coalesce((SELECT `m`.`id` FROM `milestones` AS `m`
            WHERE `m`.`workspace_id` = `v`.`workspace_id` AND `m`.`key` = `i`.`value` ->> '$.completion.milestone'), '')
          ELSE 'item:' || `v`.`checklist_id` || ':' || (`i`.`value` ->> '$.id') END
          AND `g`.`subject` = `v`.`subject` AND `g`.`subject_id` = `v`.`subject_id`) AS `at`
      FROM json_each(`v`.`content`, '$.items') AS `i` WHERE `i`.`value` ->> '$.required') AS `item`) AS `took`
FROM (SELECT `c`.`workspace_id`, `c`.`content_id` AS `checklist_id`, `c`.`version`, `c`.`subject_id` AS `user_id`,
    `c`.`first_at` AS `shown_at`, `c`.`content`,
    CASE WHEN `c`.`content` ->> '$.scope' = 'account' AND `c`.`account_id` IS NOT NULL THEN 'account' ELSE 'user' END AS `subject`,
    CASE WHEN `c`.`content` ->> '$.scope' = 'account' AND `c`.`account_id` IS NOT NULL THEN `c`.`account_id`
      ELSE `c`.`subject_id` END AS `subject_id`
  FROM (SELECT `c`.*, `u`.`account_id`,
      (SELECT `cv`.`content` FROM `content_versions` AS `cv` WHERE `cv`.`workspace_id` = `c`.`workspace_id`
        AND `cv`.`content_id` = `c`.`content_id` AND `cv`.`version` = `c`.`version`) AS `content`
    FROM `content_users` AS `c`
    LEFT JOIN `users` AS `u` ON `u`.`workspace_id` = `c`.`workspace_id` AND `u`.`id` = `c`.`subject_id`
    WHERE `c`.`name` = '$waymark.checklist_shown' AND `c`.`step_id` = '' AND `c`.`anonymous` = 0) AS `c`
  WHERE `c`.`content` IS NOT NULL) AS `v`;--> statement-breakpoint
-- The viewers already stored; from here on the triggers below keep each row as what it depends on
-- changes (an index read of the rows concerned, each recomputed by primary keys).
INSERT INTO `checklist_viewers` (`workspace_id`, `checklist_id`, `version`, `user_id`, `shown_at`, `done`, `took`) SELECT * FROM `checklist_viewer_state`;--> statement-breakpoint
-- Shown to a user for the first time, or earlier than thought (a late event).
CREATE TRIGGER `checklist_viewers_shown` AFTER INSERT ON `content_users` WHEN NEW.`name` = '$waymark.checklist_shown' AND NEW.`step_id` = '' AND NEW.`anonymous` = 0 BEGIN
  INSERT INTO `checklist_viewers` (`workspace_id`, `checklist_id`, `version`, `user_id`, `shown_at`, `done`, `took`)
    SELECT * FROM `checklist_viewer_state` WHERE `workspace_id` = NEW.`workspace_id` AND `checklist_id` = NEW.`content_id` AND `version` = NEW.`version`
      AND `user_id` = NEW.`subject_id`
    ON CONFLICT (`workspace_id`, `checklist_id`, `version`, `user_id`) DO UPDATE SET
      `shown_at` = excluded.`shown_at`, `done` = excluded.`done`, `took` = excluded.`took`;
END;--> statement-breakpoint
CREATE TRIGGER `checklist_viewers_shown_earlier` AFTER UPDATE OF `first_at` ON `content_users`
WHEN NEW.`name` = '$waymark.checklist_shown' AND NEW.`step_id` = '' AND NEW.`anonymous` = 0 AND NEW.`first_at` IS NOT OLD.`first_at` BEGIN
  INSERT INTO `checklist_viewers` (`workspace_id`, `checklist_id`, `version`, `user_id`, `shown_at`, `done`, `took`)
    SELECT * FROM `checklist_viewer_state` WHERE `workspace_id` = NEW.`workspace_id` AND `checklist_id` = NEW.`content_id` AND `version` = NEW.`version`
      AND `user_id` = NEW.`subject_id`
    ON CONFLICT (`workspace_id`, `checklist_id`, `version`, `user_id`) DO UPDATE SET
      `shown_at` = excluded.`shown_at`, `done` = excluded.`done`, `took` = excluded.`took`;
END;--> statement-breakpoint
-- A version published after events that name it (their rows were waiting for its items).
CREATE TRIGGER `checklist_viewers_version` AFTER INSERT ON `content_versions` BEGIN
  INSERT INTO `checklist_viewers` (`workspace_id`, `checklist_id`, `version`, `user_id`, `shown_at`, `done`, `took`)
    SELECT * FROM `checklist_viewer_state` WHERE `workspace_id` = NEW.`workspace_id` AND `checklist_id` = NEW.`content_id`
      AND `version` = NEW.`version`
    ON CONFLICT (`workspace_id`, `checklist_id`, `version`, `user_id`) DO UPDATE SET
      `shown_at` = excluded.`shown_at`, `done` = excluded.`done`, `took` = excluded.`took`;
END;--> statement-breakpoint
-- A goal reached (or reached earlier, or forgotten before a backfill): the viewers it is progress
-- for, the user or everyone in the account.
CREATE TRIGGER `checklist_viewers_goal_reached` AFTER INSERT ON `goal_progress` BEGIN
  UPDATE `checklist_viewers` SET (`shown_at`, `done`, `took`) = (SELECT `s`.`shown_at`, `s`.`done`, `s`.`took`
      FROM `checklist_viewer_state` AS `s` WHERE `s`.`workspace_id` = `checklist_viewers`.`workspace_id`
        AND `s`.`checklist_id` = `checklist_viewers`.`checklist_id` AND `s`.`version` = `checklist_viewers`.`version` AND `s`.`user_id` = `checklist_viewers`.`user_id`)
    WHERE `checklist_viewers`.`workspace_id` = NEW.`workspace_id` AND `checklist_viewers`.`user_id` IN (SELECT NEW.`subject_id` WHERE NEW.`subject` = 'user'
      UNION ALL SELECT `u`.`id` FROM `users` AS `u`
      WHERE `u`.`workspace_id` = NEW.`workspace_id` AND `u`.`account_id` = NEW.`subject_id` AND NEW.`subject` = 'account');
END;--> statement-breakpoint
CREATE TRIGGER `checklist_viewers_goal_moved` AFTER UPDATE OF `reached_at` ON `goal_progress`
WHEN NEW.`reached_at` IS NOT OLD.`reached_at` BEGIN
  UPDATE `checklist_viewers` SET (`shown_at`, `done`, `took`) = (SELECT `s`.`shown_at`, `s`.`done`, `s`.`took`
      FROM `checklist_viewer_state` AS `s` WHERE `s`.`workspace_id` = `checklist_viewers`.`workspace_id`
        AND `s`.`checklist_id` = `checklist_viewers`.`checklist_id` AND `s`.`version` = `checklist_viewers`.`version` AND `s`.`user_id` = `checklist_viewers`.`user_id`)
    WHERE `checklist_viewers`.`workspace_id` = NEW.`workspace_id` AND `checklist_viewers`.`user_id` IN (SELECT NEW.`subject_id` WHERE NEW.`subject` = 'user'
      UNION ALL SELECT `u`.`id` FROM `users` AS `u`
      WHERE `u`.`workspace_id` = NEW.`workspace_id` AND `u`.`account_id` = NEW.`subject_id` AND NEW.`subject` = 'account');
END;--> statement-breakpoint
CREATE TRIGGER `checklist_viewers_goal_cleared` AFTER DELETE ON `goal_progress` BEGIN
  UPDATE `checklist_viewers` SET (`shown_at`, `done`, `took`) = (SELECT `s`.`shown_at`, `s`.`done`, `s`.`took`
      FROM `checklist_viewer_state` AS `s` WHERE `s`.`workspace_id` = `checklist_viewers`.`workspace_id`
        AND `s`.`checklist_id` = `checklist_viewers`.`checklist_id` AND `s`.`version` = `checklist_viewers`.`version` AND `s`.`user_id` = `checklist_viewers`.`user_id`)
    WHERE `checklist_viewers`.`workspace_id` = OLD.`workspace_id` AND `checklist_viewers`.`user_id` IN (SELECT OLD.`subject_id` WHERE OLD.`subject` = 'user'
      UNION ALL SELECT `u`.`id` FROM `users` AS `u`
      WHERE `u`.`workspace_id` = OLD.`workspace_id` AND `u`.`account_id` = OLD.`subject_id` AND OLD.`subject` = 'account');
END;--> statement-breakpoint
-- A user moved to another account (or into one): an account-wide checklist's items are now theirs.
CREATE TRIGGER `checklist_viewers_user_account` AFTER UPDATE OF `account_id` ON `users`
WHEN NEW.`account_id` IS NOT OLD.`account_id` BEGIN
  UPDATE `checklist_viewers` SET (`shown_at`, `done`, `took`) = (SELECT `s`.`shown_at`, `s`.`done`, `s`.`took`
      FROM `checklist_viewer_state` AS `s` WHERE `s`.`workspace_id` = `checklist_viewers`.`workspace_id`
        AND `s`.`checklist_id` = `checklist_viewers`.`checklist_id` AND `s`.`version` = `checklist_viewers`.`version` AND `s`.`user_id` = `checklist_viewers`.`user_id`)
    WHERE `checklist_viewers`.`workspace_id` = NEW.`workspace_id` AND `checklist_viewers`.`user_id` IN (NEW.`id`);
END;--> statement-breakpoint
-- A milestone item's goal is found by the milestone's key: a key renamed moves the item to another
-- milestone's progress (or none). A milestone added or deleted needs nothing here: its progress rows
-- are inserted or cleared after it, and each of those recomputes its viewers above.
CREATE TRIGGER `checklist_viewers_milestone_renamed` AFTER UPDATE OF `key` ON `milestones`
WHEN NEW.`key` IS NOT OLD.`key` BEGIN
  UPDATE `checklist_viewers` SET (`shown_at`, `done`, `took`) = (SELECT `s`.`shown_at`, `s`.`done`, `s`.`took`
      FROM `checklist_viewer_state` AS `s` WHERE `s`.`workspace_id` = `checklist_viewers`.`workspace_id`
        AND `s`.`checklist_id` = `checklist_viewers`.`checklist_id` AND `s`.`version` = `checklist_viewers`.`version` AND `s`.`user_id` = `checklist_viewers`.`user_id`)
    WHERE `checklist_viewers`.`workspace_id` = NEW.`workspace_id` AND EXISTS (SELECT 1
      FROM `content_versions` AS `cv`, json_each(`cv`.`content`, '$.items') AS `i`
      WHERE `cv`.`workspace_id` = `checklist_viewers`.`workspace_id` AND `cv`.`content_id` = `checklist_viewers`.`checklist_id` AND `cv`.`version` = `checklist_viewers`.`version`
        AND `i`.`value` ->> '$.completion.milestone' IN (OLD.`key`, NEW.`key`));
END;
