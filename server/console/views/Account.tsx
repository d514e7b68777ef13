import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { ApiFailure, api, ok } from '../api.ts';
import { ScoreLine, TimeChart } from '../components/charts.tsx';
import { ChecklistItems, MilestoneList, NpsAnswerList } from '../components/people.tsx';
import {
  Band,
  Empty,
  ErrorNote,
  EventsToggle,
  eventsShownOf,
  Loading,
  TableWrap,
  Trend,
  useLoad,
  useQuery,
} from '../components/ui.tsx';
import { count, date, dateTime, percent, points, segmentName, stageName, usd } from '../format.ts';
import { base, useSession } from '../session.ts';

/** The account's health (null when it has no score yet), and the rest of its page in one answer. */
async function loadAccount(id: string, events: 'product' | 'all') {
  const [overview, score] = await Promise.all([
    ok(
      api.v1.admin.accounts[':id'].overview.$get({
        param: { id },
        query: events === 'all' ? { events } : {},
      }),
    ),
    ok(api.v1.admin.health.accounts[':id'].$get({ param: { id } })).catch((error: unknown) => {
      if (error instanceof ApiFailure && error.status === 404) return null;
      throw error;
    }),
  ]);
  return { ...overview, score };
}

/** One account's story: its score and why, how it moved, who uses it, what they reached and said, what they did last. */
export default function Account() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const { workspace, can } = useSession();
  // Recomputing writes today's snapshot: an admin's change (server/auth/roles.ts).
  const canRecompute = can('admin');
  const [query] = useQuery();
  const shown = eventsShownOf(query);
  const view = useLoad(() => loadAccount(id, shown), [workspace.id, id, shown]);
  const [recomputing, setRecomputing] = useState<string | null>(null);

  if (view.state === 'loading') return <Loading what="the account" />;
  if (view.state === 'error') return <ErrorNote error={view.error} retry={view.reload} />;
  const { account, score, responses, events, activity, features, checklists } = view.data;
  const traits = account.traits;
  const name = typeof traits.name === 'string' ? traits.name : account.id;
  const members = [...account.users].sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : -1));

  return (
    <>
      <p class="crumbs">
        <a href={`${base}/`}>Portfolio</a> <span aria-hidden="true">›</span> {name}
      </p>
      <div class="heading">
        <h1>
          {name} {name !== account.id && <span class="sub">{account.id}</span>}
        </h1>
        {score && (
          <p class="headline-score">
            <Band band={score.band} score={score.score} /> <Trend change={score.against7?.change ?? null} />
          </p>
        )}
      </div>
      {score ? (
        <p class="lead">
          {stageName(score.stage)} · {segmentName(score.segment)} ·{' '}
          {score.profile === 'onboarding' ? 'onboarding weights' : 'default weights'} · coverage{' '}
          {percent(score.coverage)} · scored for {date(score.day)}
          {score.cappedBy && <> · band capped by {score.cappedBy}</>}
        </p>
      ) : (
        <Empty title="No health score yet.">
          Scores are computed once a day, for the day that ended.{' '}
          {canRecompute ? 'Compute it now with the button below.' : ''}
        </Empty>
      )}
      {canRecompute && (
        <p>
          <button
            type="button"
            disabled={recomputing === 'busy'}
            onClick={async () => {
              setRecomputing('busy');
              try {
                await ok(api.v1.admin.health.recompute.$post({ json: { accountId: account.id } }));
                setRecomputing('Recomputed now.');
                view.reload();
              } catch (error) {
                setRecomputing(error instanceof Error ? error.message : 'Failed');
              }
            }}
          >
            Recompute the score now
          </button>{' '}
          {recomputing && recomputing !== 'busy' && <span role="status">{recomputing}</span>}
        </p>
      )}

      {score && (
        <div class="grid two">
          <section aria-labelledby="why">
            <h2 id="why">Why this score</h2>
            {score.drivers.length === 0 ? (
              <p>Nothing holds it down.</p>
            ) : (
              <ol class="drivers">
                {score.drivers.map((d) => (
                  <li key={d.measure}>
                    {d.text} <span class="muted">(−{d.impact.toFixed(1)} points)</span>
                  </li>
                ))}
              </ol>
            )}
            <h3>What changed</h3>
            {[score.against7, score.against30].map((against, i) =>
              against ? (
                <div key={against.day}>
                  <p>
                    Against {i === 0 ? '7' : '30'} days before ({date(against.day)}, score{' '}
                    {against.score ?? '–'}): <strong>{points(against.change)}</strong> points
                  </p>
                  {against.changes.length > 0 && (
                    <ul>
                      {against.changes.slice(0, 4).map((c) => (
                        <li key={c.measure}>{c.text}</li>
                      ))}
                    </ul>
                  )}
                </div>
              ) : (
                <p key={i}>No score {i === 0 ? '7' : '30'} days before to compare with.</p>
              ),
            )}
          </section>
          <section aria-labelledby="history">
            <h2 id="history">Score, last 18 weeks</h2>
            <ScoreLine
              points={score.history}
              label={`Health score from ${date(score.history[0]?.day)} to ${date(score.day)}: ${score.history[0]?.score ?? 'none'} then ${score.score ?? 'none'}`}
            />
            <table class="compact">
              <caption>Score by group</caption>
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Weight</th>
                  <th scope="col">Score</th>
                </tr>
              </thead>
              <tbody>
                {score.groups.map((g) => (
                  <tr key={g.key}>
                    <th scope="row">{g.label}</th>
                    <td>{percent(g.weight)}</td>
                    <td>
                      {g.score === null ? (
                        <span class="muted">no data</span>
                      ) : (
                        <span class="meter">
                          <span class="meter-bar" style={{ width: `${g.score}%` }} />
                          {Math.round(g.score)}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      )}

      <div class="grid two">
        <section aria-labelledby="usage">
          <h2 id="usage">Usage and adoption</h2>
          {score ? (
            <dl class="facts">
              <dt>Active users (30 days)</dt>
              <dd>
                {count(score.facts.activeUsers)}
                {score.facts.seats !== null && ` of ${count(score.facts.seats)} seats`} (30 days before:{' '}
                {count(score.facts.previousActiveUsers)})
              </dd>
              <dt>Core features used</dt>
              <dd>{score.facts.featuresUsed.length === 0 ? 'none' : score.facts.featuresUsed.join(', ')}</dd>
              <dt>Milestones</dt>
              <dd>
                {score.facts.milestonesReached} of {score.facts.milestonesTotal} reached
              </dd>
              <dt>NPS</dt>
              <dd>
                {score.facts.npsResponses} {score.facts.npsResponses === 1 ? 'answer' : 'answers'} (180 days)
                {score.facts.advocacy && `, ${score.facts.advocacy}`}
              </dd>
            </dl>
          ) : (
            <p class="muted">Shown once the account has a score.</p>
          )}
          <h3>Milestones</h3>
          {account.milestones.length === 0 ? (
            <p class="muted">No milestone is defined in this workspace.</p>
          ) : (
            <MilestoneList milestones={account.milestones} timeToValue={account.timeToValue} />
          )}
        </section>
        <section aria-labelledby="traits">
          <h2 id="traits">Traits</h2>
          <dl class="facts">
            <dt>ARR</dt>
            <dd>{usd(typeof traits.arr === 'number' ? traits.arr : null)}</dd>
            <dt>Renewal</dt>
            <dd>{date(typeof traits.renewalDate === 'string' ? traits.renewalDate : null)}</dd>
            {Object.entries(traits)
              .filter(([k]) => !['name', 'arr', 'renewalDate'].includes(k))
              .map(([k, v]) => (
                <Fragment key={k}>
                  <dt>{k}</dt>
                  <dd>{typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)}</dd>
                </Fragment>
              ))}
            <dt>First seen</dt>
            <dd>{date(account.firstSeen)}</dd>
            <dt>Last seen</dt>
            <dd>{dateTime(account.lastSeen)}</dd>
          </dl>
        </section>
      </div>

      <section aria-labelledby="activity">
        <h2 id="activity">Active users against seats</h2>
        <TimeChart
          labels={activity.days.map((d) => date(d.day))}
          series={[
            {
              label: 'Active that day',
              values: activity.days.map((d) => d.active),
              kind: 'bars',
              tone: 'tone-muted',
            },
            {
              label: 'Active in 30 days',
              values: activity.days.map((d) => d.active30),
              kind: 'line',
              tone: 'tone-accent',
            },
            ...(activity.seats === null
              ? []
              : [
                  {
                    label: 'Seats',
                    values: activity.days.map(() => activity.seats),
                    kind: 'dashed' as const,
                    tone: 'tone-warn',
                  },
                ]),
          ]}
          label={`Current members active each day from ${date(activity.from)} to ${date(activity.to)}: ${activity.days.at(-1)?.active30 ?? 0} active in the last 30 days${activity.seats === null ? ', no seats trait' : ` of ${activity.seats} seats`}; busiest day ${Math.max(0, ...activity.days.map((d) => d.active))} users`}
        />
        <p class="muted">
          The account's current members, by the days they sent any event; seats is the trait as it is now
          {activity.seats === null ? ' (this account has none)' : ''}.
        </p>
      </section>

      <div class="grid two">
        <section aria-labelledby="features">
          <h2 id="features">Core features</h2>
          {features.list.length === 0 ? (
            <p class="muted">
              No core feature is defined: name the few things a healthy account does under Adoption.
            </p>
          ) : (
            <TableWrap aria-label="Core features by use">
              <table class="compact">
                <caption>
                  Used in the last {features.days} days (since {date(features.from)}) by members of this
                  account
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Feature</th>
                    <th scope="col">Used</th>
                    <th scope="col">Users ({features.days} d)</th>
                    <th scope="col">Users ever</th>
                    <th scope="col">First use</th>
                    <th scope="col">Last use</th>
                  </tr>
                </thead>
                <tbody>
                  {features.list.map((f) => (
                    <tr key={f.key}>
                      <th scope="row">{f.name}</th>
                      {f.known ? (
                        <>
                          <td>{f.used ? '✓ yes' : 'no'}</td>
                          <td>{count(f.usersInWindow)}</td>
                          <td>{count(f.usersEver)}</td>
                          <td>{date(f.firstUse)}</td>
                          <td>{date(f.lastUse)}</td>
                        </>
                      ) : (
                        <td colSpan={5} class="muted">
                          Being counted again after a change to its events; back in a few minutes.
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>
        <section aria-labelledby="checklists">
          <h2 id="checklists">Checklists</h2>
          {checklists.length === 0 ? (
            <p class="muted">No checklist is published.</p>
          ) : (
            checklists.map((c) => (
              <div key={c.id}>
                <h3>
                  {c.title}{' '}
                  <span class="muted">
                    {c.requiredDone} of {c.requiredTotal} required done
                    {c.scope === 'user' ? ' by at least one member' : ''}
                  </span>
                </h3>
                <ChecklistItems items={c.items} />
              </div>
            ))
          )}
        </section>
      </div>

      <section aria-labelledby="nps">
        <h2 id="nps">NPS answers</h2>
        {responses.length === 0 ? (
          <p class="muted">Nobody in this account has answered a survey.</p>
        ) : (
          <NpsAnswerList responses={responses} byPerson />
        )}
      </section>

      <div class="grid two">
        <section aria-labelledby="members">
          <h2 id="members">Members ({members.length})</h2>
          {members.length === 0 ? (
            <p class="muted">No user has been seen in this account.</p>
          ) : (
            <TableWrap aria-label="Members">
              <table class="compact">
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Last active</th>
                  </tr>
                </thead>
                <tbody>
                  {members.map((u) => (
                    <tr key={u.id}>
                      <th scope="row">
                        <a href={`${base}/users/${encodeURIComponent(u.id)}`}>
                          {typeof u.traits.name === 'string' ? u.traits.name : u.id}
                        </a>
                        {typeof u.traits.email === 'string' && <span class="sub">{u.traits.email}</span>}
                      </th>
                      <td>{dateTime(u.lastSeen)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>
        <section aria-labelledby="events">
          <h2 id="events">Latest events</h2>
          <div class="filters">
            <EventsToggle />
          </div>
          {events.length === 0 ? (
            <p class="muted">
              {shown === 'all'
                ? 'No event from this account yet.'
                : 'No event of your product from this account yet: include Waymark’s own events to see what the widget recorded.'}
            </p>
          ) : (
            <ol class="timeline">
              {events.map((e) => (
                <li key={e.seq}>
                  <time dateTime={e.timestamp}>{dateTime(e.timestamp)}</time>{' '}
                  <strong>{e.name ?? e.type}</strong> <span class="muted">{e.userId ?? e.anonymousId}</span>
                </li>
              ))}
            </ol>
          )}
          <p>
            <a href={`${base}/events?accountId=${encodeURIComponent(account.id)}`}>
              All of this account's events
            </a>
          </p>
        </section>
      </div>
    </>
  );
}
