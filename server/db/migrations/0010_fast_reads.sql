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
