import { useState } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { Empty, ErrorNote, Loading, TableWrap, useLoad, useQuery } from '../components/ui.tsx';
import { dateTime } from '../format.ts';
import { base, useSession } from '../session.ts';

const pageSize = 50;

/** End users, searched by id, name or email prefix on the server, a page at a time (in id order). */
export default function Users() {
  const { workspace } = useSession();
  const [query, setQuery] = useQuery();
  const search = query.search?.trim() || undefined;
  const after = query.after || undefined;
  // The cursors of the pages before this one, to go back.
  const [previous, setPrevious] = useState<Array<string | undefined>>([]);
  const page = useLoad(
    () => ok(api.v1.admin.users.$get({ query: { search, after, limit: String(pageSize) } })),
    [workspace.id, search, after],
  );
  return (
    <>
      <h1>People</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const text = new FormData(e.currentTarget).get('search');
          setPrevious([]);
          setQuery({ search: typeof text === 'string' ? text.trim() : undefined, after: undefined });
        }}
      >
        <label>
          Id, name or email starts with
          <input name="search" type="search" defaultValue={search ?? ''} key={search ?? ''} />
        </label>
        <button type="submit">Search</button>
      </form>
      {page.state === 'loading' && <Loading what="people" />}
      {page.state === 'error' && <ErrorNote error={page.error} retry={page.reload} />}
      {page.state === 'ready' && page.data.users.length === 0 && (
        <Empty title={search ? 'Nobody matches.' : 'No user yet.'}>
          {search
            ? 'Search for the start of an id, a name or an email.'
            : 'People appear once your app identifies them (waymark.identify).'}
        </Empty>
      )}
      {page.state === 'ready' && page.data.users.length > 0 && (
        <>
          <TableWrap aria-label="People">
            <table>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Email</th>
                  <th scope="col">Account</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {page.data.users.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">
                      <a href={`${base}/users/${encodeURIComponent(u.id)}`}>{u.name ?? u.id}</a>
                      {u.name && <span class="sub">{u.id}</span>}
                    </th>
                    <td>{u.email ?? '–'}</td>
                    <td>
                      {u.accountId ? (
                        <a href={`${base}/accounts/${encodeURIComponent(u.accountId)}`}>{u.accountId}</a>
                      ) : (
                        '–'
                      )}
                    </td>
                    <td>{dateTime(u.firstSeen)}</td>
                    <td>{dateTime(u.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <nav class="pager" aria-label="Pages">
            <span>{page.data.users.length} people on this page</span>
            <button
              type="button"
              disabled={previous.length === 0}
              onClick={() => {
                setQuery({ after: previous.at(-1) });
                setPrevious(previous.slice(0, -1));
              }}
            >
              Previous
            </button>
            <button
              type="button"
              disabled={page.data.next === null}
              onClick={() => {
                setPrevious([...previous, after]);
                setQuery({ after: page.data.next ?? undefined });
              }}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </>
  );
}
