import { api, ok } from '../api.ts';
import { Bars } from '../components/charts.tsx';
import { Empty, ErrorNote, Loading, Stat, TableWrap, useLoad, useQuery } from '../components/ui.tsx';
import { count, date, percent } from '../format.ts';
import { useSession } from '../session.ts';

const windows = [7, 30, 90] as const;

/** Active users, stickiness and each core feature's adoption over a window of whole days. */
export default function Adoption() {
  const { workspace } = useSession();
  const [query, setQuery] = useQuery();
  const days = windows.find((d) => String(d) === query.days) ?? 30;
  const report = useLoad(
    () => ok(api.v1.admin.reports.adoption.$get({ query: { days: String(days) } })),
    [workspace.id, days],
  );

  return (
    <>
      <div class="heading">
        <h1>Adoption</h1>
        <label>
          Window{' '}
          <select
            value={days}
            onChange={(e) =>
              setQuery({ days: e.currentTarget.value === '30' ? undefined : e.currentTarget.value })
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
              value={count(report.data.activeUsers.dau)}
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
    </>
  );
}
