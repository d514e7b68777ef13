CREATE TABLE `user_content_state` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`content_id` text NOT NULL,
	`name` text NOT NULL,
	`last_at` integer NOT NULL,
	`step_id` text,
	PRIMARY KEY(`workspace_id`, `user_id`, `content_id`, `name`)
);
--> statement-breakpoint
-- Existing histories: each user's latest widget event per content and name, as ingestion now keeps it
-- (server/content/content-state.ts, whose list of names this repeats).
INSERT INTO `user_content_state` (`workspace_id`, `user_id`, `content_id`, `name`, `last_at`, `step_id`)
SELECT `workspace_id`, `user_id`, json_extract(`properties`, '$.contentId'), `name`, max(`timestamp`),
  json_extract(`properties`, '$.stepId')
FROM `events`
WHERE `type` = 'track' AND `user_id` IS NOT NULL
  AND `name` IN ('$waymark.checklist_shown', '$waymark.checklist_opened', '$waymark.checklist_dismissed',
    '$waymark.survey_dismissed', '$waymark.spotlight_shown', '$waymark.spotlight_step_viewed', '$waymark.spotlight_step_reached',
    '$waymark.spotlight_completed', '$waymark.spotlight_dismissed')
  AND json_type(`properties`, '$.contentId') = 'text'
GROUP BY `workspace_id`, `user_id`, json_extract(`properties`, '$.contentId'), `name`;
--> statement-breakpoint
-- From now on, kept in the transaction that stores each event: a trigger fires only for a row really
-- inserted (a duplicate message, skipped by ON CONFLICT DO NOTHING, changes nothing), and `max` keeps
-- the latest time whatever order the events arrive in.
CREATE TRIGGER `events_user_content_state` AFTER INSERT ON `events`
WHEN NEW.`type` = 'track' AND NEW.`user_id` IS NOT NULL
  AND NEW.`name` IN ('$waymark.checklist_shown', '$waymark.checklist_opened', '$waymark.checklist_dismissed',
    '$waymark.survey_dismissed', '$waymark.spotlight_shown', '$waymark.spotlight_step_viewed', '$waymark.spotlight_step_reached',
    '$waymark.spotlight_completed', '$waymark.spotlight_dismissed')
  AND json_type(NEW.`properties`, '$.contentId') = 'text'
BEGIN
  INSERT INTO `user_content_state` (`workspace_id`, `user_id`, `content_id`, `name`, `last_at`, `step_id`)
  VALUES (NEW.`workspace_id`, NEW.`user_id`, json_extract(NEW.`properties`, '$.contentId'), NEW.`name`,
    NEW.`timestamp`, json_extract(NEW.`properties`, '$.stepId'))
  ON CONFLICT (`workspace_id`, `user_id`, `content_id`, `name`) DO UPDATE SET
    `step_id` = CASE WHEN excluded.`last_at` >= `user_content_state`.`last_at`
      THEN excluded.`step_id` ELSE `user_content_state`.`step_id` END,
    `last_at` = max(`user_content_state`.`last_at`, excluded.`last_at`);
END;
