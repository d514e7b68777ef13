import { Fragment } from 'preact';
import { useRoute } from 'preact-iso';
import type { UserOverview } from '../../../shared/schemas/people-detail.ts';
import { api, ok } from '../api.ts';
import { ChecklistItems, MilestoneList, NpsAnswerList, Ticks } from '../components/people.tsx';
import {
  Band,
  Empty,
  ErrorNote,
  EventsToggle,
  eventsShownOf,
  Loading,
  useLoad,
  useQuery,
} from '../components/ui.tsx';
import { date, dateTime } from '../format.ts';
import { base, useSession } from '../session.ts';

const traitText = (v: unknown) =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);

/**
 * One end user, from one answer (`/users/:id/overview`): traits and account, milestones and time to
 * value, each checklist and tour they were shown and how far they got, their NPS answers, their latest
 * events (the product's own, or with the widget's too: `?events=all`).
 */
export default function User() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const [query] = useQuery();
  const events = eventsShownOf(query);
  const { workspace } = useSession();
  const view = useLoad(
    () =>
      ok(
        api.v1.admin.users[':id'].overview.$get({
          param: { id },
          query: events === 'all' ? { events } : {},
        }),
      ),
    [workspace.id, id, events],
  );
  if (view.state === 'loading') return <Loading what="the person" />;
  if (view.state === 'error') return <ErrorNote error={view.error} retry={view.reload} />;
  const { user, account } = view.data;
  const name = typeof user.traits.name === 'string' ? user.traits.name : user.id;
  return (
    <>
      <p class="crumbs">
        <a href={`${base}/users`}>People</a> <span aria-hidden="true">›</span> {name}
      </p>
      <h1>
        {name} {name !== user.id && <span class="sub">{user.id}</span>}
      </h1>
      <div class="grid two">
        <section aria-labelledby="traits">
          <h2 id="traits">Traits</h2>
          <dl class="facts">
            <dt>Account</dt>
            <dd>
              {account ? (
                <>
                  <a href={`${base}/accounts/${encodeURIComponent(account.id)}`}>
                    {account.name ?? account.id}
                  </a>{' '}
                  {account.health ? (
                    <Band band={account.health.band} score={account.health.score} />
                  ) : (
                    <span class="muted">not scored yet</span>
                  )}
                </>
              ) : (
                <span class="muted">none: no group call has put them in an account</span>
              )}
            </dd>
            {Object.entries(user.traits)
              .filter(([k]) => k !== 'name')
              .map(([k, v]) => (
                <Fragment key={k}>
                  <dt>{k}</dt>
                  <dd>{traitText(v)}</dd>
                </Fragment>
              ))}
            <dt>First seen</dt>
            <dd>{dateTime(user.firstSeen)}</dd>
            <dt>Last seen</dt>
            <dd>{dateTime(user.lastSeen)}</dd>
          </dl>
        </section>
        <section aria-labelledby="milestones">
          <h2 id="milestones">Milestones</h2>
          {user.milestones.length === 0 ? (
            <p class="muted">
              No milestone is defined in this workspace: define the few steps that show a person got value
              (the admin API's <code>/milestones</code>).
            </p>
          ) : (
            <MilestoneList milestones={user.milestones} timeToValue={user.timeToValue} />
          )}
        </section>
      </div>

      <div class="grid two">
        <Checklists checklists={view.data.checklists} />
        <Tours tours={view.data.tours} />
      </div>

      <section aria-labelledby="nps">
        <h2 id="nps">NPS answers</h2>
        {view.data.responses.length === 0 ? (
          <p class="muted">
            No answer from this person. A survey asks people as its sampling picks them; see the NPS view for
            the answers so far.
          </p>
        ) : (
          <NpsAnswerList responses={view.data.responses} />
        )}
      </section>

      <section aria-labelledby="events">
        <h2 id="events">Latest events</h2>
        <div class="filters">
          <EventsToggle />
        </div>
        {view.data.events.length === 0 ? (
          <p class="muted">
            {events === 'all'
              ? 'No event from this person yet.'
              : 'No event of your product from this person yet: include Waymark’s own events to see what the widget recorded.'}
          </p>
        ) : (
          <ol class="timeline">
            {view.data.events.map((e) => (
              <li key={e.seq}>
                <time dateTime={e.timestamp}>{dateTime(e.timestamp)}</time>{' '}
                <strong>{e.name ?? e.type}</strong>
              </li>
            ))}
          </ol>
        )}
        <p>
          <a href={`${base}/events?userId=${encodeURIComponent(user.id)}`}>All of this person’s events</a>
        </p>
      </section>
    </>
  );
}

/** Each checklist version shown to the person: its items done, with a bar and the same in words. */
function Checklists({ checklists }: { checklists: UserOverview['checklists'] }) {
  return (
    <section aria-labelledby="checklists">
      <h2 id="checklists">Checklists</h2>
      {checklists.length === 0 ? (
        <Empty title="No checklist shown yet.">
          The widget shows a published checklist to the people its audience matches; this person has not met
          one. The Onboarding view shows each checklist’s funnel.
        </Empty>
      ) : (
        checklists.map((c) => {
          const done = c.items.filter((item) => item.doneAt !== null).length;
          const words = `${done} of ${c.items.length} done`;
          return (
            <div key={`${c.id}-${c.version}`} class="progress-card">
              <h3>
                {c.title} <span class="muted">version {c.version}</span>
              </h3>
              <p class="progress-line">
                <progress max={c.items.length} value={done} aria-label={`${c.title}: ${words}`} />
                <span>
                  {words}
                  {c.requiredTotal !== c.items.length && (
                    <span class="muted">
                      {' '}
                      ({c.requiredDone} of {c.requiredTotal} required)
                    </span>
                  )}
                </span>
              </p>
              <p class="muted">
                Shown {dateTime(c.shownAt)}
                {c.startedAt && <> · started {date(c.startedAt)}</>}
                {c.completedAt ? <> · completed {date(c.completedAt)}</> : ' · not completed'}
                {c.dismissedAt && <> · dismissed {date(c.dismissedAt)}</>}
                {c.scope === 'account' && ' · account-wide: items done by anyone in the account'}
              </p>
              <ChecklistItems items={c.items} />
            </div>
          );
        })
      )}
    </section>
  );
}

/** Each tour or spotlight version the person started: the steps they viewed, where they stopped. */
function Tours({ tours }: { tours: UserOverview['tours'] }) {
  return (
    <section aria-labelledby="tours">
      <h2 id="tours">Tours and spotlights</h2>
      {tours.length === 0 ? (
        <Empty title="No tour or spotlight started yet.">
          A published tour starts for the people and pages its rules match; this person has not met one. The
          Tours view shows where people drop and which targets are missing.
        </Empty>
      ) : (
        tours.map((t) => {
          const words = `${t.stepsViewed} of ${t.steps.length} steps viewed`;
          return (
            <div key={`${t.id}-${t.version}`} class="progress-card">
              <h3>
                {t.name} <span class="muted">version {t.version}</span>
              </h3>
              <p class="progress-line">
                <progress max={t.steps.length} value={t.stepsViewed} aria-label={`${t.name}: ${words}`} />
                <span>{words}</span>
              </p>
              <p class="muted">
                {t.shownAt ? `Started ${dateTime(t.shownAt)}` : 'Start not recorded'}
                {t.completedAt
                  ? ` · completed ${date(t.completedAt)}`
                  : t.dismissed
                    ? ` · dismissed at “${t.dismissed.stepTitle}” ${date(t.dismissed.at)}`
                    : ' · not finished'}
                {t.lastStep && ` · last viewed “${t.lastStep.title}” ${dateTime(t.lastStep.at)}`}
              </p>
              <Ticks
                ordered
                items={t.steps.map((step) => ({
                  key: step.id,
                  done: step.viewedAt !== null,
                  children: `${step.title}: ${step.viewedAt ? `viewed ${dateTime(step.viewedAt)}` : 'not viewed'}`,
                }))}
              />
            </div>
          );
        })
      )}
    </section>
  );
}
