/**
 * What showing the demo's tour costs the host page, in real Chromium (`npx tsx test/bench/spotlight-cost.ts`
 * after `npm run build`): a new user signs in to the demo (first view of the dashboard with the tour's
 * first tooltip), then the page is reloaded (repeat view, scripts cached). For each view, over the
 * 5 s after navigation: long tasks (a PerformanceObserver for `longtask`, buffered from the start),
 * script time (CDP `Performance.getMetrics` `ScriptDuration`, the difference across the view), and the
 * CPU profile's self time in the widget's own files (`/widget`), by function, and how much of it
 * fell in long tasks. `SPOTLIGHT_RUNS` (default
 * 3) views of each kind; prints one line per view and the medians.
 */
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium, startWaymark } from '../browser/harness.ts';

const runs = Number(process.env.SPOTLIGHT_RUNS ?? 3);
const watchMs = 5000;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Long tasks observed in the page since it loaded (the observer is installed before any script). */
const observeLongTasks = () => {
  const w = window as unknown as { __long: Array<{ start: number; duration: number }> };
  w.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__long.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
};

async function scriptSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: Array<{ name: string; value: number }>;
  };
  return metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0;
}

/**
 * Self time per widget function (ms) from a CPU profile; and the widget's self time within long
 * tasks, taken as runs of samples without an idle one that last 50 ms or more (no clock to align
 * the page's long task entries with the profile's is needed).
 */
function widgetTime(profile: Profile): { total: number; inLong: number; top: string[] } {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let inLong = 0;
  let span = { ms: 0, widget: 0 };
  const close = () => {
    if (span.ms >= 50) inLong += span.widget;
    span = { ms: 0, widget: 0 };
  };
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node || node.callFrame.functionName === '(idle)') {
      close();
      return;
    }
    span.ms += dt;
    if (!/\/widget(\/|\.js)/.test(node.callFrame.url)) return;
    span.widget += dt;
    total += dt;
    const key = `${node.callFrame.functionName || '(anon)'}@${node.callFrame.url.split('/').pop()}:${node.callFrame.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`);
  close();
  return { total, inLong, top };
}

async function measure(page: Page, cdp: CDPSession, go: () => Promise<unknown>) {
  await cdp.send('Profiler.start');
  const before = await scriptSeconds(cdp);
  await go();
  await page.locator('waymark-widget').getByRole('dialog', { name: 'Start here' }).waitFor();
  await page.waitForTimeout(watchMs);
  const after = await scriptSeconds(cdp);
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
  const long = await page.evaluate(
    () => (window as unknown as { __long: Array<{ start: number; duration: number }> }).__long,
  );
  // A reload starts the page's metrics afresh: then all of `after` is this view's.
  return {
    script: (after < before ? after : after - before) * 1000,
    long: long.map((t) => Math.round(t.duration)),
    widget: widgetTime(profile),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const [waymark, browser] = await Promise.all([startWaymark(), launchChromium()]);
try {
  const rows: Record<'first' | 'repeat', Array<Awaited<ReturnType<typeof measure>>>> = {
    first: [],
    repeat: [],
  };
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      reducedMotion: 'reduce',
    });
    await context.addInitScript(observeLongTasks);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await page.goto(`${waymark.url}/`);
    await page.waitForURL(/\/demo\/signin/);
    await page.getByLabel('Full name').fill(`Cost ${run}`);
    await page.getByLabel('Work email').fill(`cost${run}-${Date.now()}@example.test`);
    await page.getByLabel('Company name').fill(`Cost ${run} ${Date.now()}`);
    rows.first.push(
      await measure(page, cdp, async () => {
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => !url.pathname.includes('signin'));
        // The onboarding checklist opens on first view and holds the screen: closed, the tour shows.
        await page.locator('waymark-widget').getByRole('button', { name: 'Close', exact: true }).click();
      }),
    );
    rows.repeat.push(await measure(page, cdp, () => page.reload()));
    await context.close();
  }
  for (const kind of ['first', 'repeat'] as const) {
    for (const r of rows[kind])
      console.log(
        `${kind}: script ${r.script.toFixed(0)} ms, long tasks [${r.long.join(', ')}] ms, widget self ${r.widget.total.toFixed(1)} ms (${r.widget.inLong.toFixed(1)} in long tasks): ${r.widget.top.join('; ')}`,
      );
    console.log(
      `${kind} median: script ${median(rows[kind].map((r) => r.script)).toFixed(0)} ms, longest task ${median(rows[kind].map((r) => Math.max(0, ...r.long)))} ms, widget self ${median(rows[kind].map((r) => r.widget.total)).toFixed(1)} ms, of it in long tasks ${median(rows[kind].map((r) => r.widget.inLong)).toFixed(1)} ms`,
    );
  }
} finally {
  await browser.close();
  await waymark.close();
}
