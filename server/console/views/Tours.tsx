import { api, ok } from '../api.ts';
import { Bars } from '../components/charts.tsx';
import { Empty, ErrorNote, Loading, TableWrap, useLoad } from '../components/ui.tsx';
import { count, dateTime, percent } from '../format.ts';
import { useSession } from '../session.ts';

async function loadTours() {
  const spotlights = (await ok(api.v1.admin.spotlights.$get())).spotlights.filter(
    (s) => s.publishedVersion !== null,
  );
  return Promise.all(
    spotlights.map((s) =>
      ok(api.v1.admin.spotlights[':id'].funnel.$get({ param: { id: s.id }, query: {} })).then((f) => ({
        name: s.name,
        funnels: f.funnels,
      })),
    ),
  );
}

/** Each tour's and spotlight's step funnel, where people drop, and the targets the widget could not find. */
export default function Tours() {
  const { workspace } = useSession();
  const view = useLoad(loadTours, [workspace.id]);
  return (
    <>
      <h1>Tours and spotlights</h1>
      <p class="lead">Where people leave each tour, and the targets your pages no longer have.</p>
      {view.state === 'loading' && <Loading what="tours" />}
      {view.state === 'error' && <ErrorNote error={view.error} retry={view.reload} />}
      {view.state === 'ready' && view.data.length === 0 && (
        <Empty title="No tour or spotlight is published.">
          Publish one with <code>POST /v1/admin/spotlights/:id/publish</code>; its funnel fills as people see
          it.
        </Empty>
      )}
      {view.state === 'ready' &&
        view.data.map((tour) =>
          tour.funnels.map((f) => {
            const id = `tour-${f.spotlightId}-${f.version}`;
            return (
              <section key={id} aria-labelledby={id}>
                <h2 id={id}>
                  {tour.name}, version {f.version}
                </h2>
                <p>
                  Shown to {count(f.shown)}, completed by {count(f.completed)} ({percent(f.completionRate)}),
                  dismissed by {count(f.dismissed)}.
                </p>
                <Bars
                  label={`Steps of ${tour.name}: ${f.steps.map((s) => `step ${s.index + 1} viewed by ${s.viewed}, left by ${s.dismissedHere}`).join('; ')}`}
                  bars={f.steps.map((s) => ({ label: `Step ${s.index + 1}`, value: s.viewed }))}
                />
                <TableWrap aria-label={`Steps of ${tour.name}, version ${f.version}`}>
                  <table class="compact">
                    <thead>
                      <tr>
                        <th scope="col">Step</th>
                        <th scope="col">Viewed</th>
                        <th scope="col">Closed here</th>
                      </tr>
                    </thead>
                    <tbody>
                      {f.steps.map((s) => (
                        <tr key={s.id}>
                          <th scope="row">
                            {s.index + 1}. {s.title}
                          </th>
                          <td>{count(s.viewed)}</td>
                          <td>{count(s.dismissedHere)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
                <h3>Broken targets</h3>
                {f.targetNotFound.length === 0 ? (
                  <p class="muted">Every step found its target.</p>
                ) : (
                  <div class="state error">
                    <p>
                      <strong>To fix:</strong> these steps' selectors matched nothing on these pages. Change
                      the selector, or add the attribute to your page.
                    </p>
                    <TableWrap aria-label={`Broken targets of ${tour.name}`}>
                      <table class="compact">
                        <thead>
                          <tr>
                            <th scope="col">Step</th>
                            <th scope="col">Selector</th>
                            <th scope="col">Page</th>
                            <th scope="col">People</th>
                            <th scope="col">Last</th>
                          </tr>
                        </thead>
                        <tbody>
                          {f.targetNotFound.map((t) => (
                            <tr key={`${t.stepId}|${t.selector}|${t.url}`}>
                              <th scope="row">{f.steps.find((s) => s.id === t.stepId)?.title ?? t.stepId}</th>
                              <td>
                                <code>{t.selector}</code>
                              </td>
                              <td>{t.url}</td>
                              <td>{count(t.users)}</td>
                              <td>{dateTime(t.lastAt)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </TableWrap>
                  </div>
                )}
              </section>
            );
          }),
        )}
    </>
  );
}
