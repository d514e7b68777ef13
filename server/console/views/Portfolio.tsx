import { api, ok } from '../api.ts';
import {
  Band,
  Empty,
  ErrorNote,
  Loading,
  Pager,
  SortHeader,
  TableWrap,
  Trend,
  useLoad,
  useQuery,
} from '../components/ui.tsx';
import { bandName, count, date, measureName, percent, segmentName, stageName, usd } from '../format.ts';
import { base, useSession } from '../session.ts';

const bands = ['red', 'yellow', 'green', 'insufficient'] as const;
const segments = ['enterprise', 'midMarket', 'smb'] as const;
const stages = ['onboarding', 'adoption', 'valueRealization', 'expansion'] as const;
const pageSize = 25;

/** The value when it is one of `allowed`, else undefined: the URL is typed by hand and may say anything. */
const oneOf = <T extends string>(allowed: readonly T[], value: string | undefined) =>
  allowed.includes(value as T) ? (value as T) : undefined;

/**
 * Every account with its health, at risk first (lowest score), filtered, sorted, searched and paged
 * on the server; the filters live in the URL, so a link shows the same list.
 */
export default function Portfolio() {
  const { workspace } = useSession();
  const [query, setQuery] = useQuery();
  const filters = {
    band: oneOf(bands, query.band),
    segment: oneOf(segments, query.segment),
    stage: oneOf(stages, query.stage),
    search: query.search?.trim() || undefined,
    sort: query.sort || 'score',
  };
  const offset = Math.max(0, Number(query.offset) || 0);
  const page = useLoad(
    () =>
      Promise.all([
        ok(
          api.v1.admin.health.accounts.$get({
            query: { ...filters, limit: String(pageSize), offset: String(offset) },
          }),
        ),
        ok(api.v1.admin.health.distribution.$get()),
      ]),
    [workspace.id, JSON.stringify(filters), offset],
  );
  const csv = api.v1.admin.health['accounts.csv'].$url({ query: filters });
  const filtered = filters.band || filters.segment || filters.stage || filters.search;

  return (
    <>
      <div class="heading">
        <h1>Portfolio</h1>
        <a class="button" href={`${csv.pathname}${csv.search}`} download>
          Export CSV
        </a>
      </div>
      <p class="lead">Every account's health score, at risk first. Open one to see why.</p>
      {page.state === 'ready' && (
        <ul class="band-cards" aria-label="Accounts per band">
          {page.data[1].bands.map((b) => (
            <li key={b.band}>
              <button
                type="button"
                class={`band-card band-${b.band}`}
                aria-pressed={filters.band === b.band}
                onClick={() =>
                  setQuery({ band: filters.band === b.band ? undefined : b.band, offset: undefined })
                }
              >
                <span class="band-card-name">{bandName(b.band)}</span>
                <span class="band-card-count">{count(b.accounts)} accounts</span>
                <span class="band-card-arr">{usd(b.arr)} ARR</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const search = new FormData(e.currentTarget).get('search');
          setQuery({ search: typeof search === 'string' ? search.trim() : undefined, offset: undefined });
        }}
      >
        <label>
          Account id starts with
          <input name="search" type="search" defaultValue={filters.search ?? ''} key={filters.search ?? ''} />
        </label>
        <button type="submit">Search</button>
        <label>
          Band
          <select
            value={filters.band ?? ''}
            onChange={(e) => setQuery({ band: e.currentTarget.value, offset: undefined })}
          >
            <option value="">All bands</option>
            {bands.map((b) => (
              <option key={b} value={b}>
                {bandName(b)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Segment
          <select
            value={filters.segment ?? ''}
            onChange={(e) => setQuery({ segment: e.currentTarget.value, offset: undefined })}
          >
            <option value="">All segments</option>
            {segments.map((s) => (
              <option key={s} value={s}>
                {segmentName(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Stage
          <select
            value={filters.stage ?? ''}
            onChange={(e) => setQuery({ stage: e.currentTarget.value, offset: undefined })}
          >
            <option value="">All stages</option>
            {stages.map((s) => (
              <option key={s} value={s}>
                {stageName(s)}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button
            type="button"
            onClick={() =>
              setQuery({
                band: undefined,
                segment: undefined,
                stage: undefined,
                search: undefined,
                offset: undefined,
              })
            }
          >
            Clear filters
          </button>
        )}
      </form>
      {page.state === 'loading' && <Loading what="accounts" />}
      {page.state === 'error' && <ErrorNote error={page.error} retry={page.reload} />}
      {page.state === 'ready' &&
        page.data[0].total === 0 &&
        (filtered ? (
          <Empty title="No account matches these filters.">Clear a filter, or search for another id.</Empty>
        ) : (
          <Empty title="No account has a health score yet.">
            Scores are computed once a day from what your app sends: <code>group</code> calls name the
            accounts and their traits (ARR, seats, renewal date). Install the widget or send events with the
            secret key, then come back tomorrow; an admin can compute them now with{' '}
            <code>POST /v1/admin/health/recompute</code>.
          </Empty>
        ))}
      {page.state === 'ready' && page.data[0].total > 0 && (
        <>
          <TableWrap aria-label="Accounts">
            <table class="portfolio">
              <thead>
                <tr>
                  <SortHeader
                    label="Account"
                    column="accountId"
                    sort={filters.sort}
                    onSort={(sort) => setQuery({ sort, offset: undefined })}
                  />
                  <SortHeader
                    label="Health"
                    column="score"
                    sort={filters.sort}
                    onSort={(sort) => setQuery({ sort, offset: undefined })}
                  />
                  <SortHeader
                    label="7 days"
                    column="trend7"
                    sort={filters.sort}
                    onSort={(sort) => setQuery({ sort, offset: undefined })}
                  />
                  <th scope="col">Coverage</th>
                  <SortHeader
                    label="ARR"
                    column="arr"
                    sort={filters.sort}
                    onSort={(sort) => setQuery({ sort, offset: undefined })}
                  />
                  <SortHeader
                    label="Renewal"
                    column="renewalDate"
                    sort={filters.sort}
                    onSort={(sort) => setQuery({ sort, offset: undefined })}
                  />
                  <th scope="col">Stage</th>
                  <th scope="col">Segment</th>
                  <th scope="col">Top driver</th>
                </tr>
              </thead>
              <tbody>
                {page.data[0].accounts.map((a) => (
                  <tr key={a.accountId}>
                    <th scope="row">
                      <a href={`${base}/accounts/${encodeURIComponent(a.accountId)}`}>
                        {a.name ?? a.accountId}
                      </a>
                      {a.name && <span class="sub">{a.accountId}</span>}
                    </th>
                    <td>
                      <Band band={a.band} score={a.score} />
                    </td>
                    <td>
                      <Trend change={a.trend7} />
                    </td>
                    <td>{percent(a.coverage)}</td>
                    <td class="num">{usd(a.arr)}</td>
                    <td>{date(a.renewalDate)}</td>
                    <td>{stageName(a.stage)}</td>
                    <td>{segmentName(a.segment)}</td>
                    <td class="driver">{measureName(a.topDriver)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <Pager
            offset={offset}
            shown={page.data[0].accounts.length}
            total={page.data[0].total}
            pageSize={pageSize}
            onOffset={(o) => setQuery({ offset: o || undefined })}
          />
          <p class="muted">
            Scores as of {date(page.data[0].accounts[0]?.day)} (computed daily, for the day that ended).
          </p>
        </>
      )}
    </>
  );
}
