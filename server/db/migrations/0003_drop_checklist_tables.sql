DROP TABLE `checklist_versions`;--> statement-breakpoint
DROP TABLE `checklists`;