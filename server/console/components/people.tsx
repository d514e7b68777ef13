import type { ComponentChildren } from 'preact';
import type { UserOverview } from '../../../shared/schemas/people-detail.ts';
import { date } from '../format.ts';
import { base } from '../session.ts';

const groupNames: Record<string, string> = {
  promoter: 'Promoter',
  passive: 'Passive',
  detractor: 'Detractor',
};

/**
 * A list of things done or not (milestones, checklist items, tour steps): a tick or a circle for the
 * eye, the state said in words for everyone.
 *
 * @example
 * <Ticks items={[{ key: 'a', done: true, children: 'Sent an invoice: reached Nov 1' }]} />
 */
export function Ticks({
  items,
  ordered = false,
}: {
  items: Array<{ key: string; done: boolean; children: ComponentChildren }>;
  ordered?: boolean;
}) {
  const list = items.map((item) => (
    <li key={item.key} class={item.done ? 'done' : ''}>
      <span aria-hidden="true">{item.done ? '✓' : '○'}</span> {item.children}
    </li>
  ));
  return ordered ? <ol class="milestones">{list}</ol> : <ul class="milestones">{list}</ul>;
}

/** A checklist's items, done (when) or not, optional ones marked. */
export function ChecklistItems({ items }: { items: UserOverview['checklists'][number]['items'] }) {
  return (
    <Ticks
      items={items.map((item) => ({
        key: item.id,
        done: item.doneAt !== null,
        children: (
          <>
            {item.title}
            {!item.required && <span class="muted"> (optional)</span>}:{' '}
            {item.doneAt ? `done ${date(item.doneAt)}` : 'not yet'}
          </>
        ),
      }))}
    />
  );
}

/** NPS answers with their score, group, comment and date; `byPerson` links each to its person. */
export function NpsAnswerList({
  responses,
  byPerson = false,
}: {
  responses: UserOverview['responses'];
  byPerson?: boolean;
}) {
  return (
    <ul class="verbatims">
      {responses.map((r) => (
        <li key={r.id}>
          <span class={`score score-${r.group}`}>{r.score}</span>
          <div>
            <p>{r.comment ?? <span class="muted">(no comment)</span>}</p>
            <p class="muted">
              {groupNames[r.group]} · {r.survey} ·{' '}
              {byPerson && (
                <>
                  <a href={`${base}/users/${encodeURIComponent(r.userId)}`}>{r.userId}</a> ·{' '}
                </>
              )}
              {date(r.respondedAt)}
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}

/** Milestones reached (when) or not, and the time to value when a value milestone is defined. */
export function MilestoneList({
  milestones,
  timeToValue,
}: Pick<UserOverview['user'], 'milestones' | 'timeToValue'>) {
  return (
    <>
      <Ticks
        items={milestones.map((m) => ({
          key: m.key,
          done: m.reachedAt !== null,
          children: `${m.name}: ${m.reachedAt ? `reached ${date(m.reachedAt)}` : 'not yet'}`,
        }))}
      />
      {timeToValue && (
        <p>
          Time to value ({timeToValue.milestone}):{' '}
          {timeToValue.days === null ? 'not reached yet' : `${timeToValue.days.toFixed(1)} days`}
        </p>
      )}
    </>
  );
}
