import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { Bars, Split } from '../components/charts.tsx';
import { Empty, ErrorNote, Loading, Stat, TableWrap, useLoad, useQuery } from '../components/ui.tsx';
import { count, date, percent } from '../format.ts';
import { base, useSession } from '../session.ts';

const groups = ['promoter', 'passive', 'detractor'] as const;
/** Traits CS teams split NPS by (the account's, as billing and the CRM send them). */
const segments = [
  { value: 'account.plan', label: 'Plan' },
  { value: 'account.industry', label: 'Industry' },
] as const;
const groupNames = { promoter: 'Promoters (9-10)', passive: 'Passives (7-8)', detractor: 'Detractors (0-6)' };
const toneOf = (score: number) => (score >= 9 ? 'tone-green' : score >= 7 ? 'tone-yellow' : 'tone-red');
const isDay = (text: string | undefined) => (text && /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : undefined);

/** NPS for one survey over a period: the score and its margin, the split, the trend, who answered, and what they said. */
export default function Nps() {
  const { workspace } = useSession();
  const [query, setQuery] = useQuery();
  const period = { from: isDay(query.from), to: isDay(query.to) };
  const interval = query.interval === 'week' ? 'week' : 'month';
  const segment = segments.find((x) => x.value === query.segment)?.value;
  const verbatimFilters = {
    ...period,
    group: groups.find((g) => g === query.group),
    q: query.q?.trim() || undefined,
    hasComment: query.hasComment === 'true' ? ('true' as const) : undefined,
  };

  const surveys = useLoad(() => ok(api.v1.admin.surveys.$get()), [workspace.id]);
  const list = surveys.state === 'ready' ? surveys.data.surveys : [];
  const survey =
    list.find((s) => s.id === query.survey) ?? list.find((s) => s.publishedVersion !== null) ?? list[0];
  const results = useLoad(
    () => (survey ? loadResults(survey.id, { ...period, interval }) : Promise.resolve(null)),
    [workspace.id, survey?.id, period.from, period.to, interval],
  );

  if (surveys.state === 'loading') return <Loading what="surveys" />;
  if (surveys.state === 'error') return <ErrorNote error={surveys.error} retry={surveys.reload} />;
  if (!survey)
    return (
      <>
        <h1>NPS</h1>
        <Empty title="This workspace has no NPS survey yet.">
          Create and publish one with <code>POST /v1/admin/surveys</code> (README, "NPS surveys"); the widget
          asks it and the answers appear here.
        </Empty>
      </>
    );

  return (
    <>
      <div class="heading">
        <h1>NPS</h1>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        {list.length > 1 && (
          <label>
            Survey
            <select value={survey.id} onChange={(e) => setQuery({ survey: e.currentTarget.value })}>
              {list.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          From
          <input
            type="date"
            value={period.from ?? ''}
            onChange={(e) => setQuery({ from: e.currentTarget.value })}
          />
        </label>
        <label>
          To
          <input
            type="date"
            value={period.to ?? ''}
            onChange={(e) => setQuery({ to: e.currentTarget.value })}
          />
        </label>
        <label>
          Split by
          <select value={segment ?? ''} onChange={(e) => setQuery({ segment: e.currentTarget.value })}>
            <option value="">Nothing</option>
            {segments.map((x) => (
              <option key={x.value} value={x.value}>
                {x.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trend by
          <select
            value={interval}
            onChange={(e) => setQuery({ interval: e.currentTarget.value === 'week' ? 'week' : undefined })}
          >
            <option value="month">Month</option>
            <option value="week">Week</option>
          </select>
        </label>
      </form>
      {results.state === 'loading' && <Loading what="results" />}
      {results.state === 'error' && <ErrorNote error={results.error} retry={results.reload} />}
      {results.state === 'ready' && results.data && <Results report={results.data} />}
      <Verbatims
        surveyId={survey.id}
        filters={verbatimFilters}
        onFilters={(patch) => setQuery(patch)}
        keyOf={`${workspace.id}|${survey.id}|${JSON.stringify(verbatimFilters)}`}
      />
    </>
  );
}

type Report = Awaited<ReturnType<typeof loadResults>>;
const loadResults = (
  id: string,
  query: { from?: string | undefined; to?: string | undefined; interval: 'week' | 'month' },
) => ok(api.v1.admin.surveys[':id'].results.$get({ param: { id }, query }));

function Results({ report }: { report: Report }) {
  const { summary, rates } = report;
  if (summary.responses === 0)
    return (
      <Empty title={`No answer between ${date(report.period.from)} and ${date(report.period.to)}.`}>
        Widen the period, or check that the survey is published and shown: {count(rates.usersShown)} people
        were shown it in this period.
      </Empty>
    );
  return (
    <>
      <p class="lead">
        {report.survey.name}, {date(report.period.from)} to {date(report.period.to)}: each person's latest
        answer counts once.
      </p>
      <dl class="stats">
        <Stat
          label="NPS"
          value={summary.nps === null ? '–' : Math.round(summary.nps)}
          note={
            summary.marginOfError === null
              ? undefined
              : `± ${summary.marginOfError.toFixed(1)} (95% interval ${summary.interval?.[0].toFixed(0)} to ${summary.interval?.[1].toFixed(0)})${summary.lowSample ? ', too few answers to act on' : ''}`
          }
        />
        <Stat
          label="Responses"
          value={count(summary.responses)}
          note={`from ${count(rates.usersShown)} people shown`}
        />
        <Stat label="Response rate" value={percent(rates.responseRate)} note="respondents ÷ people shown" />
        <Stat label="Dismissal rate" value={percent(rates.dismissalRate)} note="dismissed ÷ people shown" />
        <Stat
          label="Shown to"
          value={percent(rates.displayRate)}
          note={`of ${count(rates.activeUsers)} active users`}
        />
      </dl>
      <div class="grid two">
        <section aria-labelledby="split">
          <h2 id="split">Promoters, passives, detractors</h2>
          <Split
            label={`${summary.promoters} promoters, ${summary.passives} passives, ${summary.detractors} detractors`}
            parts={[
              { label: 'Promoters', value: summary.promoters, tone: 'tone-green' },
              { label: 'Passives', value: summary.passives, tone: 'tone-yellow' },
              { label: 'Detractors', value: summary.detractors, tone: 'tone-red' },
            ]}
          />
          <h2 id="distribution">Scores, 0 to 10</h2>
          <Bars
            label={`Responses per score: ${summary.distribution.map((n, score) => `${score}: ${n}`).join(', ')}`}
            bars={summary.distribution.map((n, score) => ({
              label: String(score),
              value: n,
              tone: toneOf(score),
            }))}
          />
        </section>
        <section aria-labelledby="trend">
          <h2 id="trend">Trend by {report.interval}</h2>
          {report.trend.length === 0 ? (
            <p class="muted">No answer in any {report.interval} of the period.</p>
          ) : (
            <Bars
              label={`NPS per ${report.interval}: ${report.trend.map((t) => `${t.bucket}: ${t.nps === null ? 'none' : Math.round(t.nps)} (${t.responses} responses)`).join(', ')}`}
              bars={report.trend.map((t) => ({
                label: t.bucket.replace(/^\d{4}-/, ''),
                value: t.nps === null ? 0 : Math.round(t.nps),
                tone:
                  t.nps === null ? '' : t.nps >= 30 ? 'tone-green' : t.nps >= 0 ? 'tone-yellow' : 'tone-red',
              }))}
            />
          )}
          {report.segments && (
            <>
              <h2 id="segments">By segment</h2>
              <TableWrap aria-labelledby="segments">
                <table class="compact">
                  <thead>
                    <tr>
                      <th scope="col">Segment</th>
                      <th scope="col">Responses</th>
                      <th scope="col">NPS</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.segments.map((x) => (
                      <tr key={x.label}>
                        <th scope="row">{x.label}</th>
                        <td>{x.responses}</td>
                        <td>
                          {x.nps === null ? '–' : Math.round(x.nps)}
                          {x.marginOfError !== null && (
                            <span class="muted"> ± {x.marginOfError.toFixed(0)}</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </>
          )}
          <h2 id="accounts">By account</h2>
          <TableWrap aria-labelledby="accounts">
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Responses</th>
                  <th scope="col">NPS</th>
                </tr>
              </thead>
              <tbody>
                {report.accounts.map((a) => (
                  <tr key={a.accountId}>
                    <th scope="row">
                      <a href={`${base}/accounts/${encodeURIComponent(a.accountId)}`}>
                        {a.name ?? a.accountId}
                      </a>
                    </th>
                    <td>{a.responses}</td>
                    <td>{a.nps === null ? '–' : Math.round(a.nps)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {report.accountCount > report.accounts.length && (
            <p class="muted">
              The {report.accounts.length} accounts with the most answers, of {report.accountCount}.
            </p>
          )}
        </section>
      </div>
    </>
  );
}

interface VerbatimFilters {
  from?: string | undefined;
  to?: string | undefined;
  group?: (typeof groups)[number] | undefined;
  q?: string | undefined;
  hasComment?: 'true' | undefined;
}

/** What people said, newest first, filtered and searched on the server, a page at a time; and all of it as CSV. */
function Verbatims({
  surveyId,
  filters,
  onFilters,
  keyOf,
}: {
  surveyId: string;
  filters: VerbatimFilters;
  onFilters(patch: Record<string, string | undefined>): void;
  keyOf: string;
}) {
  const page = (cursor?: string) =>
    ok(
      api.v1.admin.surveys[':id'].responses.$get({
        param: { id: surveyId },
        query: { ...filters, limit: '20', ...(cursor ? { cursor } : {}) },
      }),
    );
  const first = useLoad(() => page(), [keyOf]);
  // Pages after the first, added by "Show more"; a new filter starts again from the first page.
  const [extra, setExtra] = useState<Array<Awaited<ReturnType<typeof page>>>>([]);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => setExtra([]), [keyOf]);
  const csv = api.v1.admin.surveys[':id']['responses.csv'].$url({ param: { id: surveyId }, query: filters });
  const loaded = first.state === 'ready' ? [first.data, ...extra] : [];
  const responses = loaded.flatMap((p) => p.responses);
  const next = loaded.at(-1)?.next ?? null;

  return (
    <section aria-labelledby="verbatims">
      <div class="heading">
        <h2 id="verbatims">What they said</h2>
        <a class="button" href={`${csv.pathname}${csv.search}`} download>
          Export CSV
        </a>
      </div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const q = new FormData(e.currentTarget).get('q');
          onFilters({ q: typeof q === 'string' ? q.trim() : undefined });
        }}
      >
        <label>
          Comment contains
          <input name="q" type="search" defaultValue={filters.q ?? ''} key={filters.q ?? ''} />
        </label>
        <button type="submit">Search</button>
        <label>
          Group
          <select value={filters.group ?? ''} onChange={(e) => onFilters({ group: e.currentTarget.value })}>
            <option value="">Everyone</option>
            {groups.map((g) => (
              <option key={g} value={g}>
                {groupNames[g]}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={filters.hasComment === 'true'}
            onChange={(e) => onFilters({ hasComment: e.currentTarget.checked ? 'true' : undefined })}
          />
          With a comment only
        </label>
      </form>
      {first.state === 'loading' && <Loading what="answers" />}
      {first.state === 'error' && <ErrorNote error={first.error} retry={first.reload} />}
      {first.state === 'ready' && responses.length === 0 && (
        <Empty title="No answer matches.">
          Remove a filter, search for other words, or widen the period.
        </Empty>
      )}
      {responses.length > 0 && (
        <ul class="verbatims">
          {responses.map((r) => (
            <li key={r.id}>
              <span class={`score score-${r.group}`}>{r.score}</span>
              <div>
                <p>{r.comment ?? <span class="muted">(no comment)</span>}</p>
                <p class="muted">
                  {r.accountId ? (
                    <a href={`${base}/accounts/${encodeURIComponent(r.accountId)}`}>{r.accountId}</a>
                  ) : (
                    'no account'
                  )}{' '}
                  · {r.userId} · {date(r.respondedAt)}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button
          type="button"
          disabled={loadingMore}
          onClick={async () => {
            setLoadingMore(true);
            const after = await page(next).finally(() => setLoadingMore(false));
            setExtra([...extra, after]);
          }}
        >
          Show more answers
        </button>
      )}
    </section>
  );
}
