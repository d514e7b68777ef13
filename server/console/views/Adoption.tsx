import { api, ok } from '../api.ts';
import { Bars, TimeChart } from '../components/charts.tsx';
import {
  Empty,
  ErrorNote,
  Loading,
  Pager,
  SortHeader,
  Stat,
  TableWrap,
  useLoad,
  useQuery,
} from '../components/ui.tsx';
import { count, date, percent } from '../format.ts';
import { base, useSession } from '../session.ts';

const windows = [7, 30, 90] as const;
const pageSize = 25;

/** Active users over time: each day's own (DAU), or those of the 7 or 30 days ending it (WAU, MAU). */
const periods = {
  daily: { label: 'Daily', series: 'Active that day (DAU)', pick: 'dau' },
  weekly: { label: 'Weekly', series: 'Active in the 7 days ending that day (WAU)', pick: 'wau' },
  monthly: { label: 'Monthly', series: 'Active in the 30 days ending that day (MAU)', pick: 'mau' },
} as const;
type Period = keyof typeof periods;
const isPeriod = (value: string | undefined): value is Period => value !== undefined && value in periods;

/** A share's shade in the heatmap, 0 (none) to 4 (three quarters or more): the number is always written too. */
const heat = (share: number | null) =>
  share === null ? 'heat-none' : `heat-${share === 0 ? 0 : Math.min(4, Math.floor(share * 4) + 1)}`;

/**
 * Active users, stickiness and each core feature's adoption over a window of whole days, active
 * users and stickiness day by day, and core features by account as a heatmap (searched, sorted and
 * paged on the server). Two answers: the report with its series, and a page of the heatmap.
 */
export default function Adoption() {
  const { workspace } = useSession();
  const [query, setQuery] = useQuery();
  const days = windows.find((d) => String(d) === query.days) ?? 30;
  const period: Period = isPeriod(query.active) ? query.active : 'daily';
  const filters = { days: String(days), q: query.q?.trim() || undefined, sort: query.sort || 'account' };
  const offset = Math.max(0, Number(query.offset) || 0);
  const report = useLoad(
    () => ok(api.v1.admin.reports.adoption.$get({ query: { days: String(days), include: 'series' } })),
    [workspace.id, days],
  );
  const heatmap = useLoad(
    () =>
      ok(
        api.v1.admin.reports.adoption.accounts.$get({
          query: { ...filters, limit: String(pageSize), offset: String(offset) },
        }),
      ),
    [workspace.id, JSON.stringify(filters), offset],
  );
  const csv = api.v1.admin.reports.adoption['accounts.csv'].$url({ query: filters });
  const onSort = (sort: string) =>
    setQuery({ sort: sort === 'account' ? undefined : sort, offset: undefined });
  const series = report.state === 'ready' ? (report.data.series ?? []) : [];
  const labels = series.map((d) => date(d.day));
  const shown = periods[period];

  return (
    <>
      <div class="heading">
        <h1>Adoption</h1>
        <label>
          Window{' '}
          <select
            value={days}
            onChange={(e) =>
              setQuery({
                days: e.currentTarget.value === '30' ? undefined : e.currentTarget.value,
                offset: undefined,
              })
            }
          >
            {windows.map((d) => (
              <option key={d} value={d}>
                last {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {report.state === 'loading' && <Loading what="adoption" />}
      {report.state === 'error' && <ErrorNote error={report.error} retry={report.reload} />}
      {report.state === 'ready' && (
        <>
          <p class="lead">
            {date(report.data.window.from)} to {date(report.data.window.to)}: a user is active on a day they
            sent any event.
          </p>
          <dl class="stats">
            <Stat
              label="Monthly active users"
              value={count(report.data.activeUsers.mau)}
              note="in the window"
            />
            <Stat
              label="Weekly active users"
              value={count(report.data.activeUsers.wau)}
              note="its last 7 days"
            />
            <Stat
              label="Daily active users"
              value={report.data.activeUsers.dau.toLocaleString('en-US', { maximumFractionDigits: 1 })}
              note="the window's daily mean"
            />
            <Stat label="Stickiness" value={percent(report.data.stickiness)} note="DAU ÷ MAU" />
            <Stat
              label="Active days"
              value={
                report.data.activeDaysPerActiveUser === null
                  ? '–'
                  : report.data.activeDaysPerActiveUser.toFixed(1)
              }
              note="per active user"
            />
            <Stat
              label="Breadth"
              value={percent(report.data.breadth)}
              note={`of core features, ${count(report.data.activeAccounts)} active accounts`}
            />
          </dl>
          <div class="grid two">
            <section aria-labelledby="over-time">
              <div class="heading">
                <h2 id="over-time">Active users over time</h2>
                <fieldset class="toggle">
                  <legend class="visually-hidden">Active users counted</legend>
                  {(Object.keys(periods) as Period[]).map((p) => (
                    <button
                      key={p}
                      type="button"
                      aria-pressed={period === p}
                      onClick={() => setQuery({ active: p === 'daily' ? undefined : p })}
                    >
                      {periods[p].label}
                    </button>
                  ))}
                </fieldset>
              </div>
              <TimeChart
                labels={labels}
                series={[
                  {
                    label: shown.series,
                    values: series.map((d) => d[shown.pick]),
                    kind: period === 'daily' ? 'bars' : 'line',
                    tone: 'tone-accent',
                  },
                ]}
                label={`${shown.series}, from ${labels[0] ?? ''} to ${labels.at(-1) ?? ''}: ${series
                  .map((d) => `${date(d.day)} ${d[shown.pick]}`)
                  .join(', ')}`}
              />
            </section>
            <section aria-labelledby="stickiness">
              <h2 id="stickiness">Stickiness over time</h2>
              <TimeChart
                labels={labels}
                format={(n) => percent(n)}
                series={[
                  {
                    label: 'DAU ÷ MAU (the 30 days ending each day)',
                    values: series.map((d) => d.stickiness),
                    kind: 'line',
                    tone: 'tone-accent',
                  },
                ]}
                label={`Stickiness, daily active users over the 30 days' active users, from ${labels[0] ?? ''} to ${labels.at(-1) ?? ''}: ${series
                  .map((d) => `${date(d.day)} ${percent(d.stickiness)}`)
                  .join(', ')}`}
              />
            </section>
            <section aria-labelledby="frequency">
              <h2 id="frequency">How often people come back</h2>
              <Bars
                label={`Active users by active days: ${report.data.frequency.map((f) => `${f.band} days: ${f.users}`).join(', ')}`}
                bars={report.data.frequency.map((f) => ({ label: `${f.band} days`, value: f.users }))}
              />
            </section>
            <section aria-labelledby="features">
              <h2 id="features">Core features</h2>
              {report.data.features.length === 0 ? (
                <Empty title="No core feature is defined.">
                  Name up to 10 with <code>POST /v1/admin/core-features</code>: the events that prove use.
                </Empty>
              ) : (
                <TableWrap aria-label="Core features in the window">
                  <table class="compact">
                    <thead>
                      <tr>
                        <th scope="col">Feature</th>
                        <th scope="col">Users</th>
                        <th scope="col">Adoption</th>
                        <th scope="col">Accounts</th>
                        <th scope="col">Used again</th>
                      </tr>
                    </thead>
                    <tbody>
                      {report.data.features.map((f) => (
                        <tr key={f.key}>
                          <th scope="row">{f.name}</th>
                          <td>{count(f.users)}</td>
                          <td>{percent(f.adoptionRate)}</td>
                          <td>
                            {count(f.accounts)} ({percent(f.accountAdoptionRate)})
                          </td>
                          <td>{percent(f.depth)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}
            </section>
          </div>
        </>
      )}

      <section aria-labelledby="by-account">
        <div class="heading">
          <h2 id="by-account">Core features by account</h2>
          <a class="button" href={`${csv.pathname}${csv.search}`} download>
            Export CSV
          </a>
        </div>
        <p class="muted">
          Each cell: the share of the account's active users in the window who used the feature in it, and how
          many they are. A darker cell is a larger share.
        </p>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            const q = new FormData(e.currentTarget).get('q');
            setQuery({ q: typeof q === 'string' ? q.trim() : undefined, offset: undefined });
          }}
        >
          <label>
            Account id or name starts with
            <input name="q" type="search" defaultValue={filters.q ?? ''} key={filters.q ?? ''} />
          </label>
          <button type="submit">Search</button>
          {filters.q && (
            <button type="button" onClick={() => setQuery({ q: undefined, offset: undefined })}>
              Clear search
            </button>
          )}
        </form>
        {heatmap.state === 'loading' && <Loading what="accounts" />}
        {heatmap.state === 'error' && <ErrorNote error={heatmap.error} retry={heatmap.reload} />}
        {heatmap.state === 'ready' &&
          heatmap.data.total === 0 &&
          (filters.q ? (
            <Empty title="No account matches this search.">Search for another id or name, or clear it.</Empty>
          ) : (
            <Empty title="No account yet.">
              Accounts come from <code>group</code> calls (or a CSV import): send them with each user's
              account, and their use of the core features shows here.
            </Empty>
          ))}
        {heatmap.state === 'ready' && heatmap.data.total > 0 && (
          <>
            <TableWrap aria-label="Heatmap of core features by account">
              <table class="compact heatmap">
                <thead>
                  <tr>
                    <SortHeader label="Account" column="account" sort={filters.sort} onSort={onSort} />
                    <SortHeader
                      label="Active users"
                      column="activeUsers"
                      sort={filters.sort}
                      onSort={onSort}
                    />
                    {heatmap.data.features.map((f) => (
                      <SortHeader
                        key={f.key}
                        label={f.known ? f.name : `${f.name} (being counted)`}
                        column={`feature.${f.key}`}
                        sort={filters.sort}
                        onSort={onSort}
                      />
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {heatmap.data.accounts.map((a) => (
                    <tr key={a.accountId}>
                      <th scope="row">
                        <a href={`${base}/accounts/${encodeURIComponent(a.accountId)}`}>
                          {a.name ?? a.accountId}
                        </a>
                        {a.name && <span class="sub">{a.accountId}</span>}
                      </th>
                      <td class="num">{count(a.activeUsers)}</td>
                      {a.features.map((cell) => (
                        <td key={cell.key} class={`num ${heat(cell.share)}`}>
                          {cell.users === null
                            ? 'not yet counted'
                            : `${percent(cell.share)} (${count(cell.users)})`}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <Pager
              offset={offset}
              shown={heatmap.data.accounts.length}
              total={heatmap.data.total}
              pageSize={pageSize}
              onOffset={(o) => setQuery({ offset: o || undefined })}
            />
          </>
        )}
      </section>
    </>
  );
}
