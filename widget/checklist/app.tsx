import { plainText } from '../../shared/rich-text.ts';
import type { DeliveredChecklist, DeliveredItem } from '../../shared/schemas/content.ts';
import type { DeliveredTheme, Mode } from '../../shared/schemas/theme.ts';
import { format, type WidgetStrings as Strings } from '../../shared/widget-strings.ts';
import { themed } from '../view/surface.ts';
import { Panel, panelId, progress } from './panel.tsx';

/** What the user can do; widget/checklist/view.ts handles it. */
export interface Handlers {
  toggle(): void;
  close(): void;
  keyDown(event: KeyboardEvent): void;
  dismiss(): void;
  check(item: DeliveredItem): void;
  act(item: DeliveredItem): void;
  /** Shows the checklist `step` places away among this page's (1 next, -1 previous; it wraps). */
  switchTo(step: number): void;
}

export interface AppProps {
  checklist: DeliveredChecklist;
  /** Its place among this page's checklists, and how many there are (the panel's switcher). */
  index: number;
  count: number;
  theme: DeliveredTheme | undefined;
  /** The host page's choice of light or dark (`waymark.theme()`), over the theme's. */
  mode: Mode | undefined;
  t: Strings;
  dir: 'ltr' | 'rtl';
  open: boolean;
  /** What the live region says (progress, as items get done). */
  announcement: string;
  on: Handlers;
}

/**
 * The launcher (a button with the progress), the panel it opens, and a polite live region, in a
 * complementary landmark. A pure function of its props: the state lives in view.ts.
 */
export function App({ checklist, index, count, theme, mode, t, dir, open, announcement, on }: AppProps) {
  const { done, total, complete } = progress(checklist);
  const title = plainText(checklist.title) || t.gettingStarted;
  return (
    <div class="root" dir={dir} data-position={checklist.position} {...themed(theme, mode)}>
      <aside aria-label={t.gettingStarted}>
        <button
          type="button"
          class="launcher"
          aria-expanded={open}
          aria-controls={panelId}
          aria-label={`${title}, ${format(t.progress, { done, total })}`}
          onClick={on.toggle}
          onKeyDown={on.keyDown}
        >
          <Ring done={done} total={total} complete={complete} />
          <span class="name">{title}</span>
          <span class="count">{format(t.count, { done, total })}</span>
        </button>
        <Panel checklist={checklist} index={index} count={count} t={t} open={open} on={on} />
        <div class="sr" role="status" aria-live="polite">
          {announcement}
        </div>
      </aside>
    </div>
  );
}

/** The launcher's progress ring, decorative (the button's name says the numbers). */
function Ring({ done, total, complete }: { done: number; total: number; complete: boolean }) {
  const circumference = 2 * Math.PI * 11;
  return (
    <svg class="ring" width="30" height="30" aria-hidden="true">
      <circle class="track" cx="15" cy="15" r="11" />
      <circle
        class="fill"
        cx="15"
        cy="15"
        r="11"
        stroke-dasharray={circumference}
        stroke-dashoffset={circumference * (1 - (total ? done / total : 0))}
      />
      {complete && <path class="tick" d="M10 15.5l3.5 3.5 6.5-7" />}
    </svg>
  );
}
