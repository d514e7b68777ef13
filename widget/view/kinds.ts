import { checklist } from '../checklist/view.ts';
import { spotlight } from '../spotlight/view.ts';
import { survey } from '../survey/view.ts';
import type { Kind } from './kind.ts';

/**
 * Every content kind the widget shows, in the order their regions sit in the shadow root and their
 * views are told of changes. The order is the scheduler's too: a prompt that asks for a free screen
 * gets it at once, so the checklist, told first, opens on first view before a tour that starts on
 * the same page. A new kind: a folder of widget/ exporting a `Kind`, and a line here.
 */
export const kinds: readonly Kind[] = [checklist, survey, spotlight];
