import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { snippet } from '../../shared/install-snippet.ts';
import type { SpotlightContentInput } from '../../shared/schemas/spotlight.ts';
import { chromiumArgs, shotsDir, startWaymark, type Waymark } from './harness.ts';

// Spotlights on host pages written for the purpose, served from a made-up origin (http://host.test,
// through Playwright's router) that loads the built widget from the real server, as a customer's
// app would. Each test publishes its own spotlight through the admin API, for its own page, and
// checks where the tooltip ends up against where its target really is.
const origin = 'http://host.test';
let waymark: Waymark;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let seq = 0;

async function admin(path: string, method = 'GET', body?: unknown) {
  const res = await fetch(`${waymark.url}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${waymark.keys.secretKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = res.status === 204 ? null : await res.json();
  expect(res.ok, JSON.stringify(json)).toBe(true);
  return json;
}

beforeAll(async () => {
  [waymark, browser] = await Promise.all([
    startWaymark(),
    // http://host.test is a public, insecure origin and the test server is on loopback: Chromium's
    // local network access checks would block every request from the one to the other.
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        ...chromiumArgs,
        '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessRespectPreflightResults',
      ],
    }),
  ]);
  await admin('/workspace', 'PATCH', { allowedOrigins: [origin] });
  // The demo's own content stays out of the way: its checklist would open on first view and hold the
  // screen, and its spotlights are for the demo's pages.
  for (const c of (await admin('/checklists')).checklists) await admin(`/checklists/${c.id}/archive`, 'POST');
  for (const s of (await admin('/spotlights')).spotlights) await admin(`/spotlights/${s.id}/archive`, 'POST');
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});
afterEach(async () => {
  expect(pageErrors).toEqual([]);
  await context.close();
});

/** Publishes a spotlight shown on `path` (and below), and returns its id. */
async function publish(path: string, content: Omit<SpotlightContentInput, 'audience'>): Promise<string> {
  const created = await admin('/spotlights', 'POST', {
    name: `Spotlight for ${path}`,
    content: { ...content, audience: { urls: [{ match: 'prefix', pattern: path }] } },
  });
  await admin(`/spotlights/${created.id}/publish`, 'POST');
  return created.id;
}

/**
 * A new visitor (own storage), signed in as a user of their own (or as `user`: the same person on
 * another device), with the page `path` (and any other page) served as `body`.
 */
async function visit(
  path: string,
  body: string,
  options: {
    head?: string;
    reducedMotion?: boolean;
    viewport?: { width: number; height: number };
    user?: string;
  } = {},
) {
  context = await browser.newContext({
    viewport: options.viewport ?? { width: 1000, height: 700 },
    reducedMotion: options.reducedMotion === false ? 'no-preference' : 'reduce',
  });
  context.setDefaultTimeout(10_000);
  const user = options.user ?? `host-user-${++seq}-${Date.now()}`;
  await context.route(`${origin}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>${options.head ?? ''}${snippet}
<script>waymark.identify(${JSON.stringify(user)})</script>
<script async src="${waymark.url}/widget.js" data-key="${waymark.keys.publishableKey}"></script></head>
<body style="margin:0;font:16px serif">${body}</body></html>`,
    }),
  );
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${origin}${path}`);
  return user;
}

const step = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: 'tooltip' as const,
  title: `Step ${id}`,
  body: `About ${id}`,
  anchor: { selector: `[data-tour="${id}"]` },
  ...extra,
});

/** The title of the tooltip (placed) or modal that shows, or null while none does. Runs in the page. */
const tipOrModal = () =>
  page.evaluate(() => {
    for (const host of document.querySelectorAll('waymark-widget')) {
      const title = host.shadowRoot?.querySelector('.tip[data-side] h2, .modal h2');
      if (title) return title.textContent;
    }
    return null;
  });

/** The tooltip's title, or null while none shows. Runs in the page. */
const tipTitle = () =>
  page.evaluate(() => {
    for (const host of document.querySelectorAll('waymark-widget')) {
      const title = host.shadowRoot?.querySelector('.tip[data-side] h2');
      if (title) return title.textContent;
    }
    return null;
  });

interface Geometry {
  side: string;
  /** Pixels between the tooltip's edge on the arrow's side and the target's facing edge. */
  gap: number;
  /** Whether the tooltip's extent across that side overlaps the target's. */
  across: boolean;
  tip: { top: number; left: number; width: number; height: number };
  target: { top: number; bottom: number; left: number; right: number };
}

/** Where the tooltip is against its target (in the page; the target may be in a dialog). */
function geometry(selector: string): Promise<Geometry | null> {
  return page.evaluate((sel) => {
    let tip: HTMLElement | null = null;
    for (const host of document.querySelectorAll('waymark-widget')) {
      tip ??= host.shadowRoot?.querySelector<HTMLElement>('.tip[data-side]') ?? null;
    }
    const target = document.querySelector(sel);
    if (!tip || !target) return null;
    const t = tip.getBoundingClientRect();
    const r = target.getBoundingClientRect();
    const side = tip.dataset.side ?? '';
    const gap = {
      bottom: t.top - r.bottom,
      top: r.top - t.bottom,
      right: t.left - r.right,
      left: r.left - t.right,
    }[side];
    const across =
      side === 'top' || side === 'bottom'
        ? t.left < r.right && t.right > r.left
        : t.top < r.bottom && t.bottom > r.top;
    return {
      side,
      gap: gap ?? Number.NaN,
      across,
      tip: { top: t.top, left: t.left, width: t.width, height: t.height },
      target: { top: r.top, bottom: r.bottom, left: r.left, right: r.right },
    };
  }, selector);
}

/** Waits until the tooltip sits `offset` px (±4) from the target's edge, overlapping it across, and returns where. */
async function attached(selector: string, offset = 10): Promise<Geometry> {
  let last: Geometry | null = null;
  await expect
    .poll(
      async () => {
        last = await geometry(selector);
        return !!last && Math.abs(last.gap - offset) <= 4 && last.across;
      },
      { timeout: 8000, interval: 50 },
    )
    .toBe(true);
  return last!;
}

describe('spotlights on host pages', () => {
  it('wait for a target that renders 2 s late, then point at it', async () => {
    await publish('/late', { steps: [step('late')] });
    const started = Date.now();
    await visit(
      '/late',
      `<main style="padding:40px"><p>Loading…</p></main>
      <script>setTimeout(() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<button data-tour="late" style="margin-left:300px">Late button</button>'), 2000)</script>`,
    );
    const where = await attached('[data-tour="late"]');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(where.side).toBe('bottom');
    expect(await tipTitle()).toBe('Step late');
  });

  it('follow a target inside a scrolling container as it scrolls', async () => {
    await publish('/scroller', { steps: [step('inbox', { placement: { side: 'right' } })] });
    await visit(
      '/scroller',
      `<section id="box" style="display:block;margin:40px;width:300px;height:300px;overflow:auto;border:1px solid">
        <p style="height:120px;margin:0">Above</p><button data-tour="inbox">In the box</button>
        <p style="height:900px;margin:0">Below</p></section>`,
    );
    const before = await attached('[data-tour="inbox"]');
    expect(before.side).toBe('right');
    await page.evaluate(() => {
      document.getElementById('box')!.scrollTop = 80;
    });
    await expect
      .poll(async () => (await geometry('[data-tour="inbox"]'))?.tip.top)
      .toBeCloseTo(before.tip.top - 80, 0);
    const after = await attached('[data-tour="inbox"]');
    expect(after.target.top).toBeCloseTo(before.target.top - 80, 0);
  });

  it('scroll a target below a fixed header into view, smoothly, and not under the header', async () => {
    await publish('/header', { steps: [step('deep', { placement: { side: 'bottom', align: 'start' } })] });
    await visit(
      '/header',
      `<header style="position:fixed;top:0;left:0;right:0;height:90px;background:#223;color:#fff;z-index:5">App</header>
       <p style="height:1600px;margin:0;padding-top:100px">Long page</p>
       <button data-tour="deep" style="margin-left:200px">Deep down</button>
       <p style="height:1200px;margin:0">More</p>`,
      { reducedMotion: false },
    );
    // The smooth scroll ends with the target below the header, within the viewport, the tooltip
    // (which followed it all the way) on its side.
    const settledScroll = () =>
      page.evaluate(
        () =>
          new Promise<number>((done) => {
            // Still when a frame goes by without the page moving (a smooth scroll moves every frame).
            let last = -1;
            const frame = () => {
              if (scrollY === last) return done(scrollY);
              last = scrollY;
              requestAnimationFrame(frame);
            };
            requestAnimationFrame(frame);
          }),
      );
    await expect.poll(settledScroll, { timeout: 8000 }).toBeGreaterThan(1000);
    const final = await attached('[data-tour="deep"]');
    expect(final.target.top).toBeGreaterThanOrEqual(90);
    expect(final.target.bottom).toBeLessThanOrEqual(700);
    expect(final.side).toBe('bottom');
  });

  it('show a tooltip above an open modal dialog, for a target inside it, and let the user use it', async () => {
    const id = await publish('/dialog', { steps: [step('save', { placement: { side: 'bottom' } })] });
    await visit(
      '/dialog',
      `<p>Page behind</p><dialog id="d" style="width:400px;height:200px"><h1>Settings</h1>
        <button data-tour="save">Save settings</button></dialog>
       <script>document.getElementById('d').showModal()</script>`,
    );
    const where = await attached('[data-tour="save"]');
    const top = await page.evaluate(
      ({ x, y }) => {
        const hit = document.elementFromPoint(x, y);
        return {
          hit: hit?.localName,
          inDialog: !!hit?.closest('dialog'),
          popover: hit?.matches(':popover-open') ?? false,
        };
      },
      { x: where.tip.left + where.tip.width / 2, y: where.tip.top + where.tip.height / 2 },
    );
    expect(top).toEqual({ hit: 'waymark-widget', inDialog: true, popover: true });
    // Not inert, as everything outside a modal dialog is: a real click on Done completes it.
    await page.locator('waymark-widget').getByRole('button', { name: 'Done' }).click();
    await expect.poll(tipTitle).toBeNull();
    const rows = await waymark.waitForEvents((r) => r.some((e) => e.name === '$waymark.spotlight_completed'));
    expect(
      rows
        .filter((e) => e.name === '$waymark.spotlight_completed')
        .map((e) => JSON.parse(e.properties!).contentId),
    ).toContain(id);
  });

  it('flip to the other side where the author’s side has no room, then across, and slide along into view', async () => {
    const long = 'A longer explanation of this control, written to make the tooltip tall. '.repeat(8);
    await publish('/flip', {
      steps: [
        // In the bottom right corner: no room below, nor to the right of its start.
        step('corner', { placement: { side: 'bottom', align: 'start' } }),
        // At the left edge: no room on the left.
        step('edge', { placement: { side: 'left' } }),
        // A tooltip too tall for the space above or below: it goes to the right, whole.
        step('tall', { placement: { side: 'top' }, body: long }),
      ],
    });
    await visit(
      '/flip',
      `<button data-tour="corner" style="position:fixed;right:12px;bottom:12px">Corner</button>
       <button data-tour="edge" style="position:fixed;left:0;top:300px">Edge</button>
       <button data-tour="tall" style="position:fixed;left:400px;top:400px">Tall</button>`,
    );
    const next = () => page.locator('waymark-widget').getByRole('button', { name: 'Next' }).click();
    const corner = await attached('[data-tour="corner"]');
    expect(corner.side).toBe('top');
    // Slid left to stay 8 px inside the viewport (1000 px wide), the arrow still over the target.
    expect(corner.tip.left + corner.tip.width).toBeLessThanOrEqual(1000 - 8 + 1);
    await next();
    expect((await attached('[data-tour="edge"]')).side).toBe('right');
    await next();
    await expect.poll(tipTitle).toBe('Step tall');
    const tall = await attached('[data-tour="tall"]');
    // It would be cut off above (what does not fit between the viewport's top and the target,
    // minus the gap) and below (the same down to the viewport's bottom, 700 px).
    expect(tall.tip.height + 10 - tall.target.top).toBeGreaterThan(0);
    expect(tall.tip.height + 10 - (700 - tall.target.bottom)).toBeGreaterThan(0);
    expect(tall.side).toBe('right');
    expect(tall.tip.top).toBeGreaterThanOrEqual(8);
    expect(tall.tip.top + tall.tip.height).toBeLessThanOrEqual(700 - 8 + 1);
  });

  it('follow a single-page app’s route change mid-tour', async () => {
    await publish('/spa', {
      steps: [
        step('one', { page: { match: 'exact', pattern: '/spa' } }),
        step('two', { page: { match: 'exact', pattern: '/spa/next' } }),
      ],
    });
    await visit(
      '/spa',
      `<nav><a id="link" href="/spa/next">Next page</a></nav><main id="view"></main>
      <script>
        const render = () => { document.getElementById('view').innerHTML = location.pathname === '/spa/next'
          ? '<h1>Next</h1><button data-tour="two" style="margin-left:200px">Two</button>'
          : '<h1>Start</h1><button data-tour="one" style="margin-left:100px">One</button>'; };
        document.getElementById('link').addEventListener('click', (e) => { e.preventDefault(); history.pushState(null, '', '/spa/next'); render(); });
        addEventListener('popstate', render); render();
      </script>`,
    );
    await attached('[data-tour="one"]');
    await page.locator('waymark-widget').getByRole('button', { name: 'Next' }).click();
    await expect.poll(tipTitle).toBeNull(); // step two belongs to the next route
    await page.click('#link'); // the app's own pushState navigation
    await attached('[data-tour="two"]');
    expect(await tipTitle()).toBe('Step two');
    expect(await page.evaluate(() => location.pathname)).toBe('/spa/next');
    await page.goBack(); // popstate back to /spa: step two's tooltip goes
    await expect.poll(tipTitle).toBeNull();
  });

  it('resume at the step it was on after a reload', async () => {
    await publish('/reload', { steps: [step('r1'), step('r2'), step('r3')] });
    await visit(
      '/reload',
      '<p><button data-tour="r1">One</button> <button data-tour="r2">Two</button> <button data-tour="r3">Three</button></p>',
    );
    await attached('[data-tour="r1"]');
    await page.locator('waymark-widget').getByRole('button', { name: 'Next' }).click();
    await attached('[data-tour="r2"]');
    await page.reload();
    await attached('[data-tour="r2"]');
    expect(await tipTitle()).toBe('Step r2');
  });

  it('record a missing target in the step funnel, and skip the step as told', async () => {
    const id = await publish('/missing', {
      steps: [step('ghost', { whenMissing: 'skip', waitSeconds: 1 }), step('real')],
    });
    await visit('/missing?tab=1', '<p><button data-tour="real">Here</button></p>');
    await attached('[data-tour="real"]');
    let funnel: { targetNotFound: Array<{ stepId: string; url: string; events: number }> } | undefined;
    await expect
      .poll(
        async () => {
          funnel = (await admin(`/spotlights/${id}/funnel`)).funnels[0];
          return funnel?.targetNotFound.length ?? 0;
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(1);
    expect(funnel!.targetNotFound[0]).toMatchObject({ stepId: 'ghost', url: '/missing?tab=1', events: 1 });
  });

  it('look the same on a page whose CSS attacks everything with !important', async () => {
    await publish('/css', { steps: [step('styled'), step('styled2')] });
    const body =
      '<p><span data-tour="styled" style="margin-left:200px">Target</span> <b data-tour="styled2">x</b></p>';
    /** The tooltip's box and the computed look of its title, body, count and buttons. */
    const look = async () => {
      await attached('[data-tour="styled"]');
      return page.evaluate(() => {
        const host = [...document.querySelectorAll('waymark-widget')].find((h) =>
          h.shadowRoot?.querySelector('.tip'),
        )!;
        const tip = host.shadowRoot!.querySelector<HTMLElement>('.tip')!;
        const pick = (el: Element | null) => {
          const s = getComputedStyle(el!);
          return [
            s.fontFamily,
            s.fontSize,
            s.fontWeight,
            s.lineHeight,
            s.color,
            s.backgroundColor,
            s.padding,
            s.display,
            s.textTransform,
            s.letterSpacing,
          ].join('|');
        };
        const box = tip.getBoundingClientRect();
        return {
          box: [Math.round(box.width), Math.round(box.height)],
          tip: pick(tip),
          title: pick(tip.querySelector('h2')),
          body: pick(tip.querySelector('p')),
          count: pick(tip.querySelector('.count')),
          next: pick(tip.querySelector('.primary')),
          close: pick(tip.querySelector('.x')),
        };
      });
    };
    await visit('/css/clean', body);
    const clean = await look();
    await context.close();
    await visit('/css/hostile', body, {
      head: `<style>
        * { all: unset !important; }
        head, script, style { display: none !important; }
        div { display: none !important; }
        button { color: red !important; font-size: 40px !important; padding: 30px !important; background: yellow !important; }
        h2, p { font: italic 30px/3 cursive !important; color: lime !important; text-transform: uppercase !important; }
        waymark-widget { display: none !important; position: static !important; transform: scale(.5) !important; filter: blur(3px) !important; }
        [role="dialog"], .tip { display: none !important; }
        html { font-size: 40px !important; direction: rtl !important; letter-spacing: 5px !important; }
      </style>`,
    });
    const hostile = await look();
    expect(hostile).toEqual(clean);
  });

  it('never put a tooltip or modal partly off screen, at 320, 375 and 1280 px, on any side', async () => {
    const sides = ['top', 'right', 'bottom', 'left'] as const;
    const targets = ['nav', 'mid', 'corner'];
    const body = 'What this control does, in a sentence or two, as authors write them for a tour step.';
    // Too tall for the room above or below the middle of a 320 px phone: docked there.
    const long = `${body} `.repeat(5);
    await publish('/fit', {
      steps: [
        ...targets.flatMap((t) =>
          sides.map((side) => ({
            ...step(`${t}_${side}`, { body: t === 'mid' ? long : body, placement: { side } }),
            anchor: { selector: `[data-tour="${t}"]` },
          })),
        ),
        { id: 'modal', kind: 'modal' as const, title: 'Step modal', body },
      ],
    });
    // A link in a side navigation (the demo's step 2 at 375 px), a button in the middle, one in the corner.
    const page1 = `<nav style="position:fixed;left:0;top:0;bottom:0;width:150px;background:#eef">
        <a data-tour="nav" href="/fit" style="display:block;margin:120px 12px">Invoices</a></nav>
      <button data-tour="mid" style="position:fixed;left:45%;top:45%">Middle</button>
      <button data-tour="corner" style="position:fixed;right:4px;bottom:4px">Corner</button>`;
    for (const viewport of [
      { width: 320, height: 568 },
      { width: 375, height: 667 },
      { width: 1280, height: 800 },
    ]) {
      await visit('/fit', page1, { viewport });
      const seen: Record<string, string> = {};
      for (const [i, id] of [...targets.flatMap((t) => sides.map((s) => `${t}_${s}`)), 'modal'].entries()) {
        // The card of step `id`, once placed, two frames later (where it stays).
        const box = async () => {
          await expect.poll(tipOrModal).toBe(`Step ${id}`);
          return page.evaluate(
            () =>
              new Promise<Record<string, number | string>>((done) =>
                requestAnimationFrame(() =>
                  requestAnimationFrame(() => {
                    for (const host of document.querySelectorAll('waymark-widget')) {
                      const card = host.shadowRoot?.querySelector<HTMLElement>('.card');
                      if (!card) continue;
                      const r = card.getBoundingClientRect();
                      const { clientWidth, clientHeight } = document.documentElement;
                      done({
                        side: card.dataset.side ?? 'modal',
                        left: r.left,
                        top: r.top,
                        right: clientWidth - r.right,
                        bottom: clientHeight - r.bottom,
                      });
                    }
                  }),
                ),
              ),
          );
        };
        const where = await box();
        seen[id] = String(where.side);
        if (id === 'mid_top' || id === 'nav_right')
          await page.screenshot({ path: join(shotsDir, `tip-${id}-${viewport.width}.png`) });
        // Whole within the viewport (a pixel of rounding allowed).
        for (const edge of ['left', 'top', 'right', 'bottom'])
          expect(where[edge], `${viewport.width} px, ${id}: ${JSON.stringify(where)}`).toBeGreaterThanOrEqual(
            -1,
          );
        await page
          .locator('waymark-widget')
          .getByRole('button', { name: i === 12 ? 'Done' : 'Next' })
          .click();
      }
      if (viewport.width === 1280) {
        // Room everywhere around the middle button: the author's side.
        expect(sides.map((s) => seen[`mid_${s}`])).toEqual([...sides]);
        // No room on the left of the navigation's link: the other side.
        expect(seen.nav_left).toBe('right');
      } else {
        // Neither side has room for the link at 375 px (nor at 320): below it, across.
        expect(seen.nav_right).toBe('bottom');
      }
      if (viewport.width === 320) expect(sides.map((s) => seen[`mid_${s}`])).toEqual(sides.map(() => 'dock'));
      await context.close();
    }
    await visit('/other', '<p>Nothing</p>'); // for afterEach
  });

  it('remember a Next to a step on another page: a reload of the first page, or another device, resumes there', async () => {
    await publish('/prog', {
      steps: [
        step('p1', { page: { match: 'exact', pattern: '/prog' } }),
        // No `pageUrl`: the user goes there themselves.
        step('p2', { page: { match: 'exact', pattern: '/prog/two' } }),
      ],
    });
    const body = '<p><button data-tour="p1">One</button> <a href="/prog/two" data-tour="p2">Two</a></p>';
    const user = await visit('/prog', body);
    await attached('[data-tour="p1"]');
    await page.locator('waymark-widget').getByRole('button', { name: 'Next' }).click();
    await expect.poll(tipTitle).toBeNull(); // step two belongs to the other page
    await page.reload();
    await page.waitForTimeout(1500); // time for the widget to load and show what it would
    expect(await tipTitle()).toBeNull();

    // Another device: the server's record (the step moved to, sent when the user pressed Next).
    await waymark.waitForEvents((rows) =>
      rows.some((e) => e.user_id === user && e.name === '$waymark.spotlight_step_reached'),
    );
    await context.close();
    await visit('/prog', body, { user });
    await page.waitForTimeout(1500);
    expect(await tipTitle()).toBeNull();
    await page.click('[data-tour="p2"]'); // a full page load of /prog/two
    await attached('[data-tour="p2"]');
    expect(await tipTitle()).toBe('Step p2');
  });

  it('dim the page around the target with a backdrop that keeps clicks from the page, following the target', async () => {
    await publish('/dim', { steps: [step('lit', { backdrop: true, placement: { side: 'right' } })] });
    await visit(
      '/dim',
      `<p style="height:200px;margin:0">Top</p><button data-tour="lit" style="margin-left:100px">Lit</button>
       <button id="under" style="position:fixed;left:10px;top:10px">Under</button><p style="height:1500px">More</p>
       <script>window.clicks = []; document.addEventListener('click', (e) => clicks.push(e.target.id || e.target.localName));</script>`,
    );
    await attached('[data-tour="lit"]');
    /** What is hit at the target's centre, 30 px below it, and over the page's button at the top left. */
    const hits = () =>
      page.evaluate(() => {
        const box = document.querySelector('[data-tour="lit"]')!.getBoundingClientRect();
        const at = (x: number, y: number) => {
          const hit = document.elementFromPoint(x, y);
          return hit?.shadowRoot?.elementFromPoint(x, y)?.className ?? hit?.textContent;
        };
        return {
          inside: at(box.left + box.width / 2, box.top + box.height / 2),
          below: at(box.left + 4, box.bottom + 30),
          over: at(20, 20),
        };
      });
    expect(await hits()).toEqual({ inside: 'Lit', below: 'dim', over: 'dim' });
    await page.screenshot({ path: join(shotsDir, 'tip-backdrop.png') });
    // A real click on the dimmed page reaches neither the button under it nor the page's listeners,
    // and does not dismiss the step.
    await page.mouse.click(20, 20);
    await page.mouse.click(400, 600);
    expect(await page.evaluate(() => (window as unknown as { clicks: string[] }).clicks)).toEqual([]);
    expect(await tipTitle()).toBe('Step lit');
    // The target itself takes clicks.
    await page.click('[data-tour="lit"]');
    expect(await page.evaluate(() => (window as unknown as { clicks: string[] }).clicks)).toEqual(['button']);
    // Scrolled: the hole follows the target.
    await page.evaluate(() => scrollBy(0, 150));
    await attached('[data-tour="lit"]');
    await expect.poll(hits).toEqual({ inside: 'Lit', below: 'dim', over: 'dim' });
    await page.setViewportSize({ width: 700, height: 500 });
    await expect.poll(hits).toEqual({ inside: 'Lit', below: 'dim', over: 'dim' });
  });

  it('do no work while nothing moves: no layout read each frame to keep a tooltip in place', async () => {
    await publish('/idle', { steps: [step('still')] });
    await visit('/idle', '<p><button data-tour="still" style="margin-left:200px">Still</button></p>', {
      head: `<script>window.reads = 0; const read = Element.prototype.getBoundingClientRect;
        Element.prototype.getBoundingClientRect = function () { window.reads++; return read.call(this); };</script>`,
    });
    await attached('[data-tour="still"]');
    const reads = () => page.evaluate(() => (window as unknown as { reads: number }).reads);
    const before = await reads();
    await page.waitForTimeout(1000);
    expect((await reads()) - before).toBe(0);
    // It still follows when something does move.
    await page.evaluate(() => {
      document.querySelector<HTMLElement>('[data-tour="still"]')!.style.marginLeft = '400px';
    });
    await attached('[data-tour="still"]');
  });
});
