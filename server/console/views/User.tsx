import { useRoute } from 'preact-iso';
import { api, ok } from '../api.ts';
import { ErrorNote, Loading, useLoad } from '../components/ui.tsx';
import { date, dateTime } from '../format.ts';
import { base, useSession } from '../session.ts';

/** One end user: traits, account, milestones, time to value, and their latest events. */
export default function User() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const { workspace } = useSession();
  const view = useLoad(async () => {
    const [user, events] = await Promise.all([
      ok(api.v1.admin.users[':id'].$get({ param: { id } })),
      ok(api.v1.admin.events.$get({ query: { userId: id, limit: '25' } })),
    ]);
    return { user, events: events.events };
  }, [workspace.id, id]);
  if (view.state === 'loading') return <Loading what="the person" />;
  if (view.state === 'error') return <ErrorNote error={view.error} retry={view.reload} />;
  const { user, events } = view.data;
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
              {user.accountId ? (
                <a href={`${base}/accounts/${encodeURIComponent(user.accountId)}`}>{user.accountId}</a>
              ) : (
                '–'
              )}
            </dd>
            {Object.entries(user.traits)
              .filter(([k]) => k !== 'name')
              .flatMap(([k, v]) => [
                <dt key={`t-${k}`}>{k}</dt>,
                <dd key={`v-${k}`}>
                  {typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)}
                </dd>,
              ])}
            <dt>First seen</dt>
            <dd>{dateTime(user.firstSeen)}</dd>
            <dt>Last seen</dt>
            <dd>{dateTime(user.lastSeen)}</dd>
          </dl>
          <h2 id="milestones">Milestones</h2>
          <ul class="milestones">
            {user.milestones.map((m) => (
              <li key={m.key} class={m.reachedAt ? 'done' : ''}>
                <span aria-hidden="true">{m.reachedAt ? '✓' : '○'}</span> {m.name}:{' '}
                {m.reachedAt ? `reached ${date(m.reachedAt)}` : 'not yet'}
              </li>
            ))}
          </ul>
          {user.timeToValue && (
            <p>
              Time to value:{' '}
              {user.timeToValue.days === null
                ? 'not reached yet'
                : `${user.timeToValue.days.toFixed(1)} days`}
            </p>
          )}
        </section>
        <section aria-labelledby="events">
          <h2 id="events">Latest events</h2>
          {events.length === 0 ? (
            <p class="muted">No event from this person yet.</p>
          ) : (
            <ol class="timeline">
              {events.map((e) => (
                <li key={e.seq}>
                  <time dateTime={e.timestamp}>{dateTime(e.timestamp)}</time>{' '}
                  <strong>{e.name ?? e.type}</strong>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </>
  );
}
