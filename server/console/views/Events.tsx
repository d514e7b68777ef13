import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { Empty, ErrorNote, Loading, TableWrap, useLoad, useQuery } from '../components/ui.tsx';
import { dateTime } from '../format.ts';
import { base, useSession } from '../session.ts';

const types = ['track', 'page', 'identify', 'group', 'screen'] as const;
const pollMs = 5000;

/**
 * The last events received, newest first, refreshed every 5 seconds while live: a product team sees
 * its `track` calls arrive. Filters (in the URL) are read by the server, one index each.
 */
export default function Events() {
  const { workspace } = useSession();
  const [query, setQuery] = useQuery();
  const [live, setLive] = useState(true);
  const [tick, setTick] = useState(0);
  const filters = {
    type: types.find((t) => t === query.type),
    name: query.name || undefined,
    userId: query.userId || undefined,
    accountId: query.accountId || undefined,
  };
  const events = useLoad(
    () => ok(api.v1.admin.events.$get({ query: { ...filters, limit: '50' } })),
    [workspace.id, JSON.stringify(filters), tick],
  );
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setTick((n) => n + 1), pollMs);
    return () => clearInterval(timer);
  }, [live]);

  return (
    <>
      <div class="heading">
        <h1>Live events</h1>
        <button type="button" aria-pressed={live} onClick={() => setLive(!live)}>
          {live ? 'Pause' : 'Resume'} live updates
        </button>
      </div>
      <p class="lead">The last 50 events received{live ? ', refreshed every 5 seconds' : ' (paused)'}.</p>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          const text = (key: string) => String(form.get(key) ?? '').trim() || undefined;
          setQuery({ name: text('name'), userId: text('userId'), accountId: text('accountId') });
        }}
      >
        <label>
          Type
          <select value={filters.type ?? ''} onChange={(e) => setQuery({ type: e.currentTarget.value })}>
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event name
          <input name="name" defaultValue={filters.name ?? ''} key={`n${filters.name}`} />
        </label>
        <label>
          User id
          <input name="userId" defaultValue={filters.userId ?? ''} key={`u${filters.userId}`} />
        </label>
        <label>
          Account id
          <input name="accountId" defaultValue={filters.accountId ?? ''} key={`a${filters.accountId}`} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {events.state === 'loading' && <Loading what="events" />}
      {events.state === 'error' && <ErrorNote error={events.error} retry={events.reload} />}
      {events.state === 'ready' && events.data.events.length === 0 && (
        <Empty title="No event yet.">
          Install the widget in your app (its snippet is printed by{' '}
          <code>npm run waymark -- workspace create</code>) or send a <code>track</code> call with a key:
          events show here within seconds.
        </Empty>
      )}
      {events.state === 'ready' && events.data.events.length > 0 && (
        <TableWrap aria-label="Events">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Name</th>
                <th scope="col">User</th>
                <th scope="col">Account</th>
                <th scope="col">Identity</th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((e) => (
                <tr key={e.seq}>
                  <td>
                    <time dateTime={e.timestamp}>{dateTime(e.timestamp)}</time>
                  </td>
                  <td>{e.type}</td>
                  <th scope="row">{e.name ?? '–'}</th>
                  <td>{e.userId ?? e.anonymousId ?? '–'}</td>
                  <td>
                    {e.accountId ? (
                      <a href={`${base}/accounts/${encodeURIComponent(e.accountId)}`}>{e.accountId}</a>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td>{e.identity ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
