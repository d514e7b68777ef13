import type { Observed, ViewHost, ViewState } from '../view-loader.ts';
import type { Scheduler } from './scheduler.ts';
import type { Region } from './surface.ts';

/**
 * What every content kind's view does (a checklist, a survey, a spotlight): widget/view/main.ts
 * makes one of each kind in the registry (widget/view/kinds.ts) and passes each call on to all.
 */
export interface KindView {
  /** New content or user; also called on SPA navigation (the page may show other content). */
  update(state: ViewState | undefined): void;
  /** A message the core sent (an `event` trigger reads them). */
  observe?(message: Observed): void;
  /** The transport's delivery number `delivery` carried these messages to the server. */
  delivered?(messageIds: string[], delivery: number): void;
  /** The user asked for `contentId` of this kind (a checklist's `open()`, a "Show me"). */
  open?(contentId?: string): void;
}

/** What a kind's view is given: its region of the shared shadow root, the scheduler, the other kinds. */
export interface KindContext {
  /** Its part of the widget's shadow root (a kind with a `region`); a spotlight draws into its own. */
  region: Region;
  scheduler: Scheduler;
  /** Opens content of another kind, as the user asked (a checklist item's "Show me" starts a tour). */
  open(kind: string, contentId?: string): void;
}

/** A content kind of the widget: one folder of widget/, one line in widget/view/kinds.ts. */
export interface Kind {
  name: string;
  /**
   * The class of its region of the shared shadow root, if it draws there: regions sit in the
   * registry's order, and the stylesheet may place one by what another shows (`.cl:has(…) ~ .sv`).
   */
  region?: string;
  /** Its rules in the shared shadow root's stylesheet. */
  css?: string;
  create(host: ViewHost, context: KindContext): KindView;
}
