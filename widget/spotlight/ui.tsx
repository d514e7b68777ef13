import { plainText } from '../../shared/rich-text.ts';
import type { DeliveredTheme, Mode } from '../../shared/schemas/theme.ts';
import { format, type WidgetStrings } from '../../shared/widget-strings.ts';
import { Rich } from '../view/rich.tsx';
import { themed } from '../view/surface.ts';
import type { Showing } from './run.ts';

/** What the user can do with one drawn step; widget/spotlight/view.ts handles it. */
export interface StepHandlers {
  /** The beacon of a hotspot was activated. */
  open(): void;
  next(): void;
  back(): void;
  /** The close button: a dismissal. */
  close(): void;
  keyDown(event: KeyboardEvent): void;
}

/** One thing on screen (a hotspot's beacon, a tooltip, a modal) as the run says, with its handlers. */
export interface Shown
  extends Pick<Showing<unknown>, 'key' | 'kind' | 'spotlight' | 'step' | 'index' | 'expanded'> {
  on: StepHandlers;
}

export interface LayerProps {
  shown: Shown[];
  theme: DeliveredTheme | undefined;
  /** The host page's choice of light or dark (`waymark.theme()`), over the theme's. */
  mode?: Mode | undefined;
  t: Partial<WidgetStrings>;
  dir: 'ltr' | 'rtl';
}

/**
 * Everything the spotlights draw, as a pure function of the view's state. Positions are not props:
 * view.ts keeps each beacon and tooltip on its target (widget/spotlight/position.ts), finding them
 * by their `key` as id.
 */
export function Layer({ shown, theme, mode, t, dir }: LayerProps) {
  return (
    <div class="layer" dir={dir} {...themed(theme, mode)}>
      {shown.map((item) => {
        const Part = item.kind === 'beacon' ? Beacon : Card;
        return <Part key={item.key} item={item} t={t} />;
      })}
    </div>
  );
}

/**
 * A hotspot: a real button beside its target, named after the tip it opens. Non-modal, and
 * nothing happens until the user activates it.
 */
function Beacon({ item, t }: { item: Shown; t: Partial<WidgetStrings> }) {
  return (
    <button
      type="button"
      id={item.key}
      class="beacon"
      aria-label={format(t.openTip, { title: plainText(item.step.title) })}
      aria-expanded={item.expanded}
      aria-controls={item.expanded ? item.key.slice(0, -2) : undefined}
      onClick={item.on.open}
    />
  );
}

/**
 * A step's card: a tooltip (a non-modal dialog: a tooltip with buttons is not a WAI-ARIA tooltip)
 * with an arrow at its target (and the page dimmed around it when the step says so), or a modal
 * dialog over a backdrop. Labelled by its title, described
 * by its body; the step counter for tours, Back, Next or Done (none when the step advances on a
 * click on its target), and a close button when the spotlight may be dismissed.
 */
function Card({ item, t }: { item: Shown; t: Partial<WidgetStrings> }) {
  const { key: id, kind, spotlight, step, index, on } = item;
  const total = spotlight.steps.length;
  const modal = kind === 'modal';
  const card = (
    <div
      id={id}
      class={`card ${kind}`}
      role="dialog"
      aria-modal={modal || undefined}
      aria-labelledby={`${id}-t`}
      aria-describedby={step.body.length ? `${id}-b` : undefined}
      tabIndex={-1}
      lang={spotlight.locale || undefined}
      onKeyDown={on.keyDown}
    >
      {!modal && <div class="arrow" />}
      <div class="head">
        <h2 id={`${id}-t`}>
          <Rich text={step.title} />
        </h2>
        {spotlight.dismissible && (
          <button type="button" class="x" aria-label={t.tipClose} title={t.tipClose} onClick={on.close}>
            <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
              <path d="M3 3l10 10M13 3L3 13" />
            </svg>
          </button>
        )}
      </div>
      {step.body.length > 0 && (
        <p id={`${id}-b`}>
          <Rich text={step.body} />
        </p>
      )}
      <div class="foot">
        {total > 1 && <span class="count">{format(t.step, { n: index + 1, total })}</span>}
        {index > 0 && (
          <button type="button" class="btn ghost" onClick={on.back}>
            {t.back}
          </button>
        )}
        {step.advance === 'next' && (
          <button type="button" class="btn primary" onClick={on.next}>
            {index + 1 < total ? t.next : t.done}
          </button>
        )}
      </div>
    </div>
  );
  // A tooltip's ring (shown when it is docked, away from its target) and backdrop: position.ts
  // finds them after it.
  return modal
    ? [<div class="backdrop" />, card]
    : [card, <div class="ring" />, step.backdrop && <div class="dim" />];
}
