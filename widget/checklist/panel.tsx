import type { DeliveredChecklist, DeliveredItem } from '../../shared/schemas/content.ts';
import { format, type WidgetStrings as Strings } from '../../shared/widget-strings.ts';
import { CloseButton } from '../view/close-button.tsx';
import { Rich } from '../view/rich.tsx';
import type { Handlers } from './app.tsx';

/** How far a checklist is: required items done of required items (all items if none is required). */
export function progress(checklist: DeliveredChecklist): { done: number; total: number; complete: boolean } {
  const required = checklist.items.filter((item) => item.required);
  const counted = required.length ? required : checklist.items;
  const done = counted.filter((item) => item.doneAt).length;
  return { done, total: counted.length, complete: counted.length > 0 && done === counted.length };
}

export interface PanelProps {
  checklist: DeliveredChecklist;
  /** Its place among the checklists of this page (0-based), and how many there are. */
  index: number;
  count: number;
  t: Strings;
  open: boolean;
  on: Handlers;
}

/**
 * Marks the panel's scrolling part with what it hides (`data-more`: `up`, `down`, both or empty),
 * which the stylesheet draws as a shadow along that edge. Called on scroll and after each draw.
 */
export function edges(scroll: Element | null | undefined): void {
  if (!scroll) return;
  const { scrollTop, scrollHeight, clientHeight } = scroll;
  // Fractional scroll positions (zoom) fall short of the end by under a pixel.
  const more = `${scrollTop > 1 ? 'up ' : ''}${scrollTop + clientHeight < scrollHeight - 1 ? 'down' : ''}`;
  scroll.setAttribute('data-more', more);
}

/** The panel's id, for the launcher's `aria-controls` (ids are scoped to the shadow root). */
export const panelId = 'wm-checklist';

/**
 * The open checklist: a non-modal dialog (focus is not trapped; Escape closes it). Rendered while
 * closed too, `hidden`, so that the launcher's `aria-controls` always names an element. Its header
 * stays put while the rest scrolls, with a shadow on the edge that hides more; with several
 * checklists on the page, the header also has a switcher ("1 of 2", previous, next). On small
 * screens it is a bottom sheet over a backdrop, which closes it when tapped.
 */
export function Panel({ checklist, index, count, t, open, on }: PanelProps) {
  const { done, total, complete } = progress(checklist);
  const id = panelId;
  const arrow = (step: number, label: string) => (
    <button type="button" class="x" aria-label={label} title={label} onClick={() => on.switchTo(step)}>
      <svg width="16" height="16" aria-hidden="true">
        <path d={step < 0 ? 'M10 3L5 8l5 5' : 'M6 3l5 5-5 5'} />
      </svg>
    </button>
  );
  return [
    // The bottom sheet's backdrop (drawn under 640 px only): a pointer's way out; the keyboard's are
    // Escape and the close button.
    open && <div class="scrim" aria-hidden="true" onClick={on.close} />,
    <div
      id={id}
      class="panel"
      role="dialog"
      aria-labelledby={`${id}-title`}
      tabIndex={-1}
      hidden={!open}
      onKeyDown={on.keyDown}
      lang={checklist.locale || undefined}
    >
      <div class="head">
        <h2 id={`${id}-title`}>
          {checklist.title.length ? <Rich text={checklist.title} /> : t.gettingStarted}
        </h2>
        {count > 1 && (
          <div class="switch">
            {arrow(-1, t.previousChecklist)}
            <span>{format(t.count, { done: index + 1, total: count })}</span>
            {arrow(1, t.nextChecklist)}
          </div>
        )}
        <CloseButton label={t.close} onClick={on.close} />
      </div>
      <div class="scroll" onScroll={(event) => edges(event.currentTarget)}>
        {complete ? (
          <div class="celebrate">
            <div class="medal" aria-hidden="true">
              <svg width="24" height="24" aria-hidden="true">
                <path d="M5 12.5l4.5 4.5L19 7.5" />
              </svg>
            </div>
            <h3>{t.allDone}</h3>
            <p class="muted">{t.completed}</p>
          </div>
        ) : (
          checklist.description.length > 0 && (
            <p class="intro muted">
              <Rich text={checklist.description} />
            </p>
          )
        )}
        <div class="progress muted">
          {format(t.progress, { done, total })}
          <div class="bar" aria-hidden="true">
            <span style={{ width: `${total ? Math.round((done / total) * 100) : 0}%` }} />
          </div>
        </div>
        <ul>
          {checklist.items.map((item) => (
            <Item key={item.id} item={item} t={t} id={`${id}-${item.id}`} on={on} />
          ))}
        </ul>
      </div>
      {checklist.dismissible && (
        <div class="foot">
          <button type="button" class="text-btn" onClick={on.dismiss}>
            {t.dismiss}
          </button>
        </div>
      )}
    </div>,
  ];
}

interface ItemProps {
  item: DeliveredItem;
  t: Strings;
  id: string;
  on: Handlers;
}

/**
 * One step. Its checkbox is a real one: the user may tick a manual item (once: the server keeps it);
 * an automatic one (done when the app reports the event) is disabled and shows its state.
 */
function Item({ item, t, id, on }: ItemProps) {
  const done = !!item.doneAt;
  const tickable = item.manual && !done;
  const action = item.action;
  return (
    <li class={done ? 'item done' : 'item'}>
      <span class="check" title={tickable ? t.markDone : undefined}>
        <input
          type="checkbox"
          id={`${id}-check`}
          checked={done}
          // A manual item ticked stays focusable (aria-disabled, not disabled): disabling the focused
          // box would drop keyboard focus to the page. Automatic items are never the user's to tick.
          disabled={!item.manual}
          aria-disabled={item.manual && done ? 'true' : undefined}
          aria-describedby={item.description.length ? `${id}-desc` : undefined}
          onChange={(event) => {
            // Controlled: the box shows what the data says, ticked once the tick is recorded.
            (event.currentTarget as HTMLInputElement).checked = done;
            if (tickable) on.check(item);
          }}
        />
        <span class="box" aria-hidden="true" />
      </span>
      <div class="body">
        <label id={`${id}-title`} for={`${id}-check`}>
          <Rich text={item.title} />
          {!item.required && <span class="tag">({t.optional})</span>}
        </label>
        {item.description.length > 0 && (
          <p id={`${id}-desc`} class="muted">
            <Rich text={item.description} />
          </p>
        )}
        {action && !done && (
          <button type="button" class="action" aria-describedby={`${id}-title`} onClick={() => on.act(item)}>
            {action.kind === 'spotlight' ? t.showMe : t.start}
          </button>
        )}
      </div>
    </li>
  );
}
