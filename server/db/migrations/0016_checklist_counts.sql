CREATE TABLE `checklist_counts` (
	`workspace_id` text NOT NULL,
	`checklist_id` text NOT NULL,
	`version` integer NOT NULL,
	`item` integer NOT NULL,
	`users` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `checklist_id`, `version`, `item`)
) WITHOUT ROWID;--> statement-breakpoint
-- The funnel counts of a checklist version (README, "What each report reads"): each row of
-- checklist_viewers adds 1 to the counts its state belongs to, and a change of its state moves it.
-- `item`: -1 shown, -2 started (an item done), -3 completed (took set), i item i done. A checklist has
-- at most 20 items (shared/schemas/checklist.ts); the bits read go to 31.
INSERT INTO `checklist_counts` (`workspace_id`, `checklist_id`, `version`, `item`, `users`)
  SELECT `v`.`workspace_id`, `v`.`checklist_id`, `v`.`version`, `j`.`value`, count(*)
  FROM `checklist_viewers` AS `v`, json_each('[-3,-2,-1,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31]') AS `j`
  WHERE `j`.`value` = -1 OR (`j`.`value` = -2 AND `v`.`done` <> 0) OR (`j`.`value` = -3 AND `v`.`took` IS NOT NULL)
    OR (`j`.`value` >= 0 AND (`v`.`done` >> `j`.`value`) & 1)
  GROUP BY 1, 2, 3, 4;--> statement-breakpoint
CREATE TRIGGER `checklist_counts_shown` AFTER INSERT ON `checklist_viewers` BEGIN
  INSERT INTO `checklist_counts` (`workspace_id`, `checklist_id`, `version`, `item`, `users`)
    SELECT NEW.`workspace_id`, NEW.`checklist_id`, NEW.`version`, `j`.`value`, 1 FROM json_each('[-3,-2,-1,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31]') AS `j`
    WHERE `j`.`value` = -1 OR (`j`.`value` = -2 AND NEW.`done` <> 0) OR (`j`.`value` = -3 AND NEW.`took` IS NOT NULL)
      OR (`j`.`value` >= 0 AND (NEW.`done` >> `j`.`value`) & 1)
  ON CONFLICT DO UPDATE SET `users` = `users` + excluded.`users`;
END;--> statement-breakpoint
CREATE TRIGGER `checklist_counts_changed` AFTER UPDATE OF `done`, `took` ON `checklist_viewers` BEGIN
  INSERT INTO `checklist_counts` (`workspace_id`, `checklist_id`, `version`, `item`, `users`)
    SELECT NEW.`workspace_id`, NEW.`checklist_id`, NEW.`version`, `d`.`item`, `d`.`delta` FROM (
      SELECT `j`.`value` AS `item`, CASE
        WHEN `j`.`value` = -2 THEN (NEW.`done` <> 0) - (OLD.`done` <> 0)
        WHEN `j`.`value` = -3 THEN (NEW.`took` IS NOT NULL) - (OLD.`took` IS NOT NULL)
        WHEN `j`.`value` >= 0 THEN ((NEW.`done` >> `j`.`value`) & 1) - ((OLD.`done` >> `j`.`value`) & 1)
        ELSE 0 END AS `delta`
      FROM json_each('[-3,-2,-1,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31]') AS `j`) AS `d`
    WHERE `d`.`delta` <> 0
  ON CONFLICT DO UPDATE SET `users` = `users` + excluded.`users`;
END;--> statement-breakpoint
CREATE TRIGGER `checklist_counts_removed` AFTER DELETE ON `checklist_viewers` BEGIN
  UPDATE `checklist_counts` SET `users` = `users` - 1
    WHERE `workspace_id` = OLD.`workspace_id` AND `checklist_id` = OLD.`checklist_id` AND `version` = OLD.`version`
      AND (`item` = -1 OR (`item` = -2 AND OLD.`done` <> 0) OR (`item` = -3 AND OLD.`took` IS NOT NULL)
        OR (`item` >= 0 AND (OLD.`done` >> `item`) & 1));
END;
