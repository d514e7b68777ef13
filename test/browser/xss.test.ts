import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { snippet } from '../../shared/install-snippet.ts';
import { chromiumArgs, startWaymark, type Waymark } from './harness.ts';

// An XSS corpus fed through every text field of every content type (and their translations), the
// traits, the user id and the survey comment, then drawn by the built widget in real Chromium on a
// host page (http://host.test, served through Playwright's router, as spotlight-hosts.test.ts does),
// rendered and interacted with: no payload runs, and nothing of a payload becomes an element, an
// event-handler attribute or a script URL in the widget's shadow DOM. Each payload would set
// `window.__xss` to its number, and carries that number in the part a reader would see as text, so
// the test also proves that every payload was drawn (as text), not lost on the way.
const origin = 'http://host.test';
let waymark: Waymark;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let dialogs: string[];
let seq = 0;

const corpus = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=2">',
  '"><svg onload=window.__xss=3>',
  "'><img src=x onerror=window.__xss=4>",
  '" autofocus onfocus="window.__xss=5" x="',
  '<svg><script>window.__xss=6</script></svg>',
  '<svg><a xlink:href="javascript:window.__xss=7"><text>7</text></a></svg>',
  '<a href="javascript:window.__xss=8">8</a>',
  '<iframe src="javascript:window.__xss=9"></iframe>',
  '<details open ontoggle=window.__xss=10>',
  '[__xss=11](javascript:window.__xss=11)',
  '[__xss=12](JaVaScRiPt:window.__xss=12)',
  '[__xss=13](data:text/html,<script>window.__xss=13</script>)',
  '[__xss=14](https://x.test/"onmouseover="window.__xss=14)',
  '**<img src=x onerror=window.__xss=15>**',
  '[<img src=x onerror=window.__xss=16>](/ok)',
  '`</code><script>window.__xss=17</script>`',
  '</textarea><script>window.__xss=18</script>',
  '{{constructor.constructor("window.__xss=19")()}}',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=20>',
  '[__xss=21](&#106;avascript:window.__xss=21)',
  '[__xss=22](vbscript:window.__xss=22)',
  '<svg><animate onbegin=window.__xss=23 attributeName=x dur=1s>',
  '[__xss=24](data:image/svg+xml,<svg/onload=window.__xss=24>)',
  '<a href=" javascript:window.__xss=25">25</a>',
];
const everyPayload = corpus.map((_, i) => i + 1);

/**
 * Payloads from the corpus, from the `start`-th on and around, as many as `max` characters hold:
 * every field gets some, the long ones all of them, and fields start at different places so that
 * the short ones (60-character labels) share the corpus out between them.
 */
function fill(max: number, start: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; i < corpus.length; i++) {
    const payload = corpus[(start + i) % corpus.length]!;
    const more = payload.length + (parts.length ? 1 : 0);
    if (length + more > max) continue;
    parts.push(payload);
    length += more;
  }
  return parts.join(' ');
}

/** The fields of one language of each content type, starting the corpus at `k`. */
const checklistText = (k: number) => ({
  title: fill(120, k),
  description: fill(500, k + 3),
  items: [0, 1, 2].map((i) => ({ title: fill(120, k + 5 + 7 * i), description: fill(500, k + 9 + i) })),
});
const surveyText = (k: number) => ({
  question: `{product} ${fill(290, k)}`,
  lowLabel: fill(60, k + 2),
  highLabel: fill(60, k + 3),
  followUp: { detractor: fill(300, k + 4), passive: fill(300, k + 8), promoter: fill(300, k + 12) },
  thankYou: fill(300, k + 16),
});
const stepText = (k: number) =>
  [0, 1, 2].map((i) => ({ title: fill(120, k + 6 * i), body: fill(1000, k + i) }));

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

async function publish(kind: 'checklists' | 'surveys' | 'spotlights', path: string, content: object) {
  const created = await admin(`/${kind}`, 'POST', {
    name: fill(120, 0),
    content: { ...content, audience: { urls: [{ match: 'prefix', pattern: path }] } },
  });
  await admin(`/${kind}/${created.id}/publish`, 'POST');
}

beforeAll(async () => {
  [waymark, browser] = await Promise.all([
    startWaymark(),
    // As in spotlight-hosts.test.ts: http://host.test may call the server on loopback.
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        ...chromiumArgs,
        '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessRespectPreflightResults',
      ],
    }),
  ]);
  await admin('/workspace', 'PATCH', { allowedOrigins: [origin] });
  // The demo's own content stays out of the way.
  for (const kind of ['checklists', 'surveys', 'spotlights']) {
    for (const c of (await admin(`/${kind}`))[kind]) await admin(`/${kind}/${c.id}/archive`, 'POST');
  }

  const en = checklistText(0);
  const fr = checklistText(11);
  await publish('checklists', '/checklist', {
    title: en.title,
    description: en.description,
    items: en.items.map((item, i) => ({
      id: `item${i}`,
      ...item,
      completion: { kind: 'manual' },
      required: i === 0,
    })),
    translations: {
      fr: {
        title: fr.title,
        description: fr.description,
        items: Object.fromEntries(fr.items.map((item, i) => [`item${i}`, item])),
      },
    },
  });
  await publish('surveys', '/survey', {
    productName: fill(80, 20),
    ...surveyText(0),
    sampling: { firstAskAfterDays: 0, delaySeconds: 0 },
    translations: { fr: surveyText(13) },
  });
  const steps = stepText(0);
  const frSteps = stepText(9);
  await publish('spotlights', '/tour', {
    steps: [
      { id: 'one', kind: 'hotspot', ...steps[0], anchor: { selector: '[data-tour="one"]' } },
      { id: 'two', kind: 'tooltip', ...steps[1], anchor: { selector: '[data-tour="two"]' } },
      { id: 'three', kind: 'modal', ...steps[2] },
    ],
    translations: { fr: Object.fromEntries(['one', 'two', 'three'].map((id, i) => [id, frSteps[i]])) },
  });
});
afterAll(async () => {
  await browser?.close();
  await waymark?.close();
});
afterEach(async () => {
  expect(pageErrors).toEqual([]);
  expect(dialogs).toEqual([]);
  await context.close();
});

/** A new visitor whose user id and traits carry payloads too, on the host page `path`. */
async function visit(path: string, locale: 'en' | 'fr') {
  context = await browser.newContext({ viewport: { width: 1100, height: 800 }, reducedMotion: 'reduce' });
  context.setDefaultTimeout(10_000);
  const user = `xss-${++seq}-${Date.now()}-${corpus[1]}`;
  const traits = {
    name: corpus[0],
    email: corpus[2],
    locale,
    createdAt: new Date(Date.now() - 60 * 86_400_000).toISOString(),
    note: fill(500, 7),
  };
  // Written into the host's inline script as a careful host would: `<` escaped, or `</script>` in a
  // trait would end the host's own script (a hole in the host page, not in the widget).
  const js = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');
  await context.route(`${origin}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>${snippet}
<script>waymark.identify(${js(user)}, ${js(traits)});
waymark.group(${js(`acme-${corpus[3]}`)}, ${js({ name: corpus[8], plan: corpus[10] })})</script>
<script async src="${waymark.url}/widget.js" data-key="${waymark.keys.publishableKey}"></script></head>
<body style="margin:0;font:16px serif"><main style="padding:120px">
<button data-tour="one">One</button> <button data-tour="two" style="margin-left:300px">Two</button>
</main></body></html>`,
    }),
  );
  page = await context.newPage();
  pageErrors = [];
  dialogs = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${origin}${path}`);
}

interface Scan {
  xss: unknown;
  /** What a payload made of the widget's DOM: elements, handlers, script URLs. */
  harm: string[];
  /** The payloads (their numbers) drawn as text or in a text attribute. */
  drawn: number[];
}

/**
 * Looks through the widget's shadow roots and the host page: in the page, as the user's browser
 * sees them. Elements and attributes a payload could bring are harm; the widget's own (its `<svg>`
 * icons, `<style>`, a `<form>` around the comment) are not, unless a payload is inside them.
 */
const scan = (): Promise<Scan> =>
  page.evaluate(() => {
    const harmfulTags = new Set(
      'script img iframe frame frameset object embed base meta link math mtext mglyph table details video audio source template noscript foreignobject use image animate set'.split(
        ' ',
      ),
    );
    const urlAttributes = /^(href|xlink:href|src|action|formaction|data|srcdoc|poster|background)$/i;
    const harm: string[] = [];
    const drawn = new Set<number>();
    const note = (text: string | null) => {
      for (const [, n] of (text ?? '').matchAll(/__xss=(\d+)/g)) drawn.add(Number(n));
    };
    const look = (root: ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        const tag = el.localName;
        if (harmfulTags.has(tag)) harm.push(`<${tag}>`);
        if (tag === 'svg' && el.querySelector('a, script, foreignObject')) harm.push('<svg> with content');
        if ((tag === 'style' || tag === 'svg') && el.textContent?.includes('__xss'))
          harm.push(`payload in <${tag}>`);
        for (const attr of el.attributes) {
          // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop them inside URLs, as here
          const value = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
          if (attr.name.toLowerCase().startsWith('on')) harm.push(`<${tag} ${attr.name}>`);
          if (urlAttributes.test(attr.name) && /^(javascript|data|vbscript):/.test(value))
            harm.push(`<${tag} ${attr.name}="${attr.value}">`);
          if (/^(aria-label|title|alt|placeholder)$/.test(attr.name)) note(attr.value);
        }
        if (el.shadowRoot) look(el.shadowRoot);
      }
      // Text node by text node: the text of neighbours run together (`__xss=13` and a radio's `0`).
      const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      while (texts.nextNode())
        if (texts.currentNode.parentElement?.localName !== 'style') note(texts.currentNode.nodeValue);
    };
    for (const host of document.querySelectorAll('waymark-widget')) {
      if (host.shadowRoot) look(host.shadowRoot);
    }
    // The host page: the widget adds nothing to it but its host element.
    for (const el of document.body.querySelectorAll('*')) {
      if (!['main', 'button', 'waymark-widget'].includes(el.localName))
        harm.push(`<${el.localName}> in the page`);
      for (const attr of el.attributes) if (attr.name.startsWith('on')) harm.push(`${attr.name} in the page`);
    }
    return { xss: (window as { __xss?: unknown }).__xss, harm, drawn: [...drawn] };
  });

const widget = () => page.locator('waymark-widget');
const drawn = new Set<number>();

/** Scans now: nothing ran, nothing harmful in the DOM; keeps what was drawn. */
async function expectInert(when: string) {
  // Let anything a payload scheduled (an error event of an image, an SVG animation) fire first.
  await page.waitForTimeout(150);
  const result = await scan();
  expect({ when, xss: result.xss, harm: result.harm }).toEqual({ when, xss: undefined, harm: [] });
  for (const n of result.drawn) drawn.add(n);
}

/** Moves the mouse over, and focuses, every element the widget draws (handlers on hover and focus). */
async function hoverAndFocusAll() {
  const boxes = await page.evaluate(() => {
    const out: Array<{ x: number; y: number }> = [];
    const walk = (root: ShadowRoot) => {
      for (const el of root.querySelectorAll<HTMLElement>('*')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.height) out.push({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    for (const host of document.querySelectorAll('waymark-widget'))
      if (host.shadowRoot) walk(host.shadowRoot);
    return out;
  });
  for (const { x, y } of boxes) await page.mouse.move(x, y);
  for (let i = 0; i < 30; i++) await page.keyboard.press('Tab');
}

describe('an XSS corpus in every text field, drawn by the widget', () => {
  for (const locale of ['en', 'fr'] as const) {
    it(`is inert in the checklist (${locale})`, async () => {
      await visit('/checklist', locale);
      const panel = widget().getByRole('dialog');
      await panel.waitFor();
      await expectInert('checklist drawn');
      await hoverAndFocusAll();
      // Tick every item by hand: each redraws its row.
      const boxes = panel.getByRole('checkbox');
      for (let i = 0; i < (await boxes.count()); i++)
        await boxes.nth(i).evaluate((box: HTMLElement) => box.click());
      await expectInert('checklist ticked');
    });

    it(`is inert in the NPS survey, with a payload as the comment (${locale})`, async () => {
      await visit('/survey', locale);
      const prompt = widget().getByRole('region');
      await prompt.waitFor();
      await expectInert('survey drawn');
      const radios = prompt.getByRole('radio');
      // A detractor's, a passive's, then a promoter's follow-up question, each drawn in turn.
      for (const score of [3, 8, 10]) {
        await radios.nth(score).click();
        await prompt.getByRole('textbox').waitFor();
        await expectInert(`follow-up for ${score}`);
      }
      await hoverAndFocusAll();
      await prompt.getByRole('textbox').fill(fill(2000, 0));
      await prompt.locator('.send').click();
      await prompt.locator('.thanks').waitFor();
      await expectInert('survey thanked');
    });

    it(`is inert in a tour: hotspot, tooltip and modal (${locale})`, async () => {
      await visit('/tour', locale);
      const beacon = widget().locator('.beacon');
      await beacon.waitFor();
      await expectInert('hotspot drawn');
      await beacon.click();
      for (let step = 0; step < 3; step++) {
        const card = widget().getByRole('dialog');
        await card.waitFor();
        await expectInert(`step ${step + 1} drawn`);
        await hoverAndFocusAll();
        // A card holding 1,000 characters of payloads may reach past the viewport: a click by script.
        await card.locator('.btn.primary').evaluate((button: HTMLElement) => button.click());
      }
      await expect.poll(() => widget().getByRole('dialog').count()).toBe(0);
      await expectInert('tour done');
    });
  }

  // After the tests above (a file's tests run in order): together they drew the whole corpus.
  it('drew every payload of the corpus, as text', () => {
    expect([...drawn].sort((x, y) => x - y)).toEqual(everyPayload);
  });
});
