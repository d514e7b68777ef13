import { ApiFailure, api, ok } from '../api.ts';
import { Bars } from '../components/charts.tsx';
import { Empty, ErrorNote, Loading, Stat, TableWrap, useLoad, useQuery } from '../components/ui.tsx';
import { count, percent } from '../format.ts';
import { base, useSession } from '../session.ts';

/** Time to value, or null when the workspace has no value milestone (the report answers 404 then). */
const timeToValue = (query: { subject: 'user' | 'account'; cohort?: 'month'; segment?: string }) =>
  ok(api.v1.admin.reports['time-to-value'].$get({ query })).catch((error: unknown) => {
    if (error instanceof ApiFailure && error.status === 404) return null;
    throw error;
  });

async function loadOnboarding(subject: 'user' | 'account') {
  const checklists = (await ok(api.v1.admin.checklists.$get())).checklists.filter(
    (c) => c.publishedVersion !== null,
  );
  const [funnels, byCohort, byPlan] = await Promise.all([
    Promise.all(
      checklists.map((c) =>
        ok(api.v1.admin.checklists[':id'].funnel.$get({ param: { id: c.id }, query: {} })).then((f) => ({
          name: c.name,
          funnels: f.funnels,
        })),
      ),
    ),
    timeToValue({ subject, cohort: 'month' }),
    timeToValue({ subject, segment: subject === 'account' ? 'plan' : 'account.plan' }),
  ]);
  return { funnels, byCohort, byPlan };
}

/**
 * Onboarding: each checklist's funnel per published version (shown, started, each item, completed,
 * dismissed), and time to first value by signup month and by plan.
 */
export default function Onboarding() {
  const { workspace } = useSession();
  const [query, setQuery] = useQuery();
  const subject = query.subject === 'user' ? 'user' : 'account';
  const view = useLoad(() => loadOnboarding(subject), [workspace.id, subject]);

  return (
    <>
      <h1>Onboarding</h1>
      <p class="lead">
        Where people drop out of the checklists, and how long it takes to reach value.{' '}
        <a href={`${base}/?stage=onboarding`}>Accounts still onboarding</a>
      </p>
      {view.state === 'loading' && <Loading what="onboarding" />}
      {view.state === 'error' && <ErrorNote error={view.error} retry={view.reload} />}
      {view.state === 'ready' && (
        <>
          <h2>Checklist funnels</h2>
          {view.data.funnels.length === 0 && (
            <Empty title="No checklist is published.">
              Publish one with <code>POST /v1/admin/checklists/:id/publish</code>; its funnel fills as the
              widget shows it.
            </Empty>
          )}
          {view.data.funnels.map((checklist) =>
            checklist.funnels.map((f) => (
              <section
                key={`${f.checklistId}-${f.version}`}
                aria-labelledby={`funnel-${f.checklistId}-${f.version}`}
              >
                <h3 id={`funnel-${f.checklistId}-${f.version}`}>
                  {checklist.name}, version {f.version}
                </h3>
                <Bars
                  label={`Funnel of ${checklist.name} version ${f.version}: shown ${f.shown}, started ${f.started}, ${f.items.map((i) => `${i.title} ${i.completed}`).join(', ')}, completed ${f.completed}, dismissed ${f.dismissed}`}
                  bars={[
                    { label: 'Shown', value: f.shown },
                    { label: 'Started', value: f.started },
                    ...f.items.map((i, n) => ({ label: `Item ${n + 1}`, value: i.completed })),
                    { label: 'Completed', value: f.completed, tone: 'tone-green' },
                    { label: 'Dismissed', value: f.dismissed, tone: 'tone-red' },
                  ]}
                />
                <TableWrap aria-label={`Funnel of ${checklist.name}, version ${f.version}`}>
                  <table class="compact">
                    <thead>
                      <tr>
                        <th scope="col">Step</th>
                        <th scope="col">People</th>
                        <th scope="col">Of those shown</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[
                        ['Shown', f.shown],
                        ['Started (one item done)', f.started],
                        ...f.items.map(
                          (i, n) =>
                            [
                              `Item ${n + 1}: ${i.title}${i.required ? '' : ' (optional)'}`,
                              i.completed,
                            ] as const,
                        ),
                        ['Completed (every required item)', f.completed],
                        ['Dismissed', f.dismissed],
                      ].map(([label, n]) => (
                        <tr key={label}>
                          <th scope="row">{label}</th>
                          <td>{count(n as number)}</td>
                          <td>{f.shown === 0 ? '–' : percent((n as number) / f.shown)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
                <p class="muted">
                  Median time to complete:{' '}
                  {f.medianDaysToComplete === null
                    ? 'nobody completed it yet'
                    : `${f.medianDaysToComplete.toFixed(1)} days`}
                </p>
              </section>
            )),
          )}
          <div class="heading">
            <h2>Time to first value</h2>
            <label>
              Count{' '}
              <select
                value={subject}
                onChange={(e) => setQuery({ subject: e.currentTarget.value === 'user' ? 'user' : undefined })}
              >
                <option value="account">accounts</option>
                <option value="user">users</option>
              </select>
            </label>
          </div>
          {view.data.byCohort === null ? (
            <Empty title="No value milestone.">
              Mark the milestone that means "got value" with <code>isValue: true</code> (
              <code>/v1/admin/milestones</code>).
            </Empty>
          ) : (
            <TimeToValue report={view.data.byCohort} byPlan={view.data.byPlan} />
          )}
        </>
      )}
    </>
  );
}

type Ttv = NonNullable<Awaited<ReturnType<typeof timeToValue>>>;

function TimeToValue({ report, byPlan }: { report: Ttv; byPlan: Ttv | null }) {
  const o = report.overall;
  const days = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)} days`);
  const rows = [
    ...(report.cohorts ?? []).map((c) => ({ key: c.cohort, label: `Signed up ${c.cohort}`, s: c })),
    ...(byPlan?.segments ?? []).map((s) => ({
      key: `plan-${String(s.value)}`,
      label: `Plan: ${s.value ?? 'none'}`,
      s,
    })),
  ];
  return (
    <>
      <p class="lead">
        {report.milestone.name}, counted from each {report.subject}'s first day seen.
      </p>
      <dl class="stats">
        <Stat label="Median" value={days(o.medianDays)} note={`p90 ${days(o.p90Days)}`} />
        <Stat
          label="Reached"
          value={count(o.reached)}
          note={`of ${count(o.subjects)}; ${count(o.neverReached)} not yet`}
        />
        <Stat
          label="By day 7"
          value={percent(o.reachedBy.day7.share)}
          note={`of ${count(o.reachedBy.day7.eligible)} old enough`}
        />
        <Stat
          label="By day 30"
          value={percent(o.reachedBy.day30.share)}
          note={`of ${count(o.reachedBy.day30.eligible)} old enough`}
        />
      </dl>
      <TableWrap aria-label="Time to value by signup month and by plan">
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Subjects</th>
              <th scope="col">Reached</th>
              <th scope="col">Median</th>
              <th scope="col">p90</th>
              <th scope="col">By day 30</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ key, label, s }) => (
              <tr key={key}>
                <th scope="row">{label}</th>
                <td>{count(s.subjects)}</td>
                <td>{count(s.reached)}</td>
                <td>{days(s.medianDays)}</td>
                <td>{days(s.p90Days)}</td>
                <td>{percent(s.reachedBy.day30.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}
