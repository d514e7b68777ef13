import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { Bars } from '../components/charts.tsx';
import { Band, Empty, ErrorNote, Loading, Trend, useLoad, useQuery } from '../components/ui.tsx';
import { bandName, count, date, measureName, usd } from '../format.ts';
import { base, useSession } from '../session.ts';

const rules = [
  'bandDowngrade',
  'scoreDrop',
  'detractor',
  'paymentPastDue',
  'renewalAtRisk',
  'lowAdoption',
] as const;
const ruleNames: Record<string, string> = {
  bandDowngrade: 'Band went down',
  scoreDrop: 'Score dropped',
  detractor: 'Detractor answer',
  paymentPastDue: 'Payment past due',
  renewalAtRisk: 'Renewal at risk',
  lowAdoption: 'Low adoption',
};
const toneOf = (band: string) => (band === 'insufficient' ? '' : `tone-${band}`);

/** Accounts and ARR per band, the week's biggest movers, and the alert inbox. */
export default function Health() {
  const { workspace } = useSession();
  const [query, setQuery] = useQuery();
  const rule = rules.find((r) => r === query.rule);
  const overview = useLoad(() => ok(api.v1.admin.health.distribution.$get()), [workspace.id]);
  const alerts = useLoad(
    () => ok(api.v1.admin.alerts.$get({ query: { rule, limit: '20' } })),
    [workspace.id, rule],
  );
  const [more, setMore] = useState<NonNullable<typeof alerts.data>[]>([]);
  useEffect(() => setMore([]), [rule]);
  const pages = alerts.state === 'ready' ? [alerts.data, ...more] : [];
  const next = pages.at(-1)?.next ?? null;

  return (
    <>
      <h1>Health overview</h1>
      {overview.state === 'loading' && <Loading what="the overview" />}
      {overview.state === 'error' && <ErrorNote error={overview.error} retry={overview.reload} />}
      {overview.state === 'ready' && (
        <div class="grid two">
          <section aria-labelledby="bands">
            <h2 id="bands">Accounts and ARR per band</h2>
            <Bars
              label={`Accounts per band: ${overview.data.bands.map((b) => `${bandName(b.band)} ${b.accounts}`).join(', ')}`}
              bars={overview.data.bands.map((b) => ({
                label: bandName(b.band),
                value: b.accounts,
                tone: toneOf(b.band),
              }))}
            />
            <ul class="legend">
              {overview.data.bands.map((b) => (
                <li key={b.band}>
                  <a href={`${base}/?band=${b.band}`}>{bandName(b.band)}</a>: {count(b.accounts)} accounts,{' '}
                  {usd(b.arr)} ARR
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="movers">
            <h2 id="movers">Biggest movers this week</h2>
            {(['falling', 'rising'] as const).map((direction) => (
              <div key={direction}>
                <h3>{direction === 'falling' ? 'Falling' : 'Rising'}</h3>
                {overview.data.movers[direction].length === 0 ? (
                  <p class="muted">No account is {direction}.</p>
                ) : (
                  <ul class="movers">
                    {overview.data.movers[direction].map((m) => (
                      <li key={m.accountId}>
                        <a href={`${base}/accounts/${encodeURIComponent(m.accountId)}`}>{m.accountId}</a>{' '}
                        <Band band={m.band} score={m.score} /> <Trend change={m.trend7} />
                        {m.topDriver && <span class="sub">{measureName(m.topDriver)}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            ))}
          </section>
        </div>
      )}
      <div class="heading">
        <h2 id="alerts">Alert inbox</h2>
        <label>
          Rule{' '}
          <select value={rule ?? ''} onChange={(e) => setQuery({ rule: e.currentTarget.value })}>
            <option value="">All rules</option>
            {rules.map((r) => (
              <option key={r} value={r}>
                {ruleNames[r]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {alerts.state === 'loading' && <Loading what="alerts" />}
      {alerts.state === 'error' && <ErrorNote error={alerts.error} retry={alerts.reload} />}
      {alerts.state === 'ready' && pages[0]?.alerts.length === 0 && (
        <Empty title="No alert.">
          The daily health run raises alerts when an account's band or score falls, a member is a detractor, a
          payment is late, a renewal nears while not green, or adoption stays low.
        </Empty>
      )}
      <ul class="verbatims" aria-labelledby="alerts">
        {pages
          .flatMap((p) => p.alerts)
          .map((a) => (
            <li key={a.id}>
              <Band band={a.band} score={a.score} />
              <div>
                <p>{a.text}</p>
                <p class="muted">
                  {ruleNames[a.rule] ?? a.rule} ·{' '}
                  <a href={`${base}/accounts/${encodeURIComponent(a.accountId)}`}>{a.accountId}</a> ·{' '}
                  {date(a.day)}
                </p>
              </div>
            </li>
          ))}
      </ul>
      {next && (
        <button
          type="button"
          onClick={async () =>
            setMore([
              ...more,
              await ok(api.v1.admin.alerts.$get({ query: { rule, limit: '20', before: next } })),
            ])
          }
        >
          Show older alerts
        </button>
      )}
    </>
  );
}
