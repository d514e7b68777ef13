import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { snippet } from '../../shared/install-snippet.ts';
import { launchChromium, startWaymark, type Waymark } from './harness.ts';

// A customer's app on its own origin, served with a strict Content-Security-Policy (no
// 'unsafe-inline', no 'unsafe-eval'), embedding the built widget from the real Waymark server: what
// that policy must allow is what the README says, and nothing the widget does is refused.
// The host is a server of its own on another port (another origin); a page Playwright's router made
// up would be one Chromium lets no request to a loopback address leave from.
let host: string;
let hostServer: Server;
/** What the host server answers, by path: a body, its type, and its headers. */
const hostFiles = new Map<string, { type: string; body: string; headers?: Record<string, string> }>();
let waymark: Waymark;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let refused: string[];

/** The policy a strict host sends, with Waymark's origin where the README says to add it. */
const policy = (scriptSrc = "'self'") =>
  [
    "default-src 'none'",
    `script-src ${scriptSrc} ${waymark.url}`,
    `connect-src ${waymark.url}`,
    "style-src 'self'",
    "img-src 'self'",
  ].join('; ');

/** The pre-load snippet's code, as a host under a strict policy keeps it: in a file of its own. */
const snippetCode = snippet.replace(/^<script>|<\/script>$/g, '');
/** The inline snippet as the README prints it, allowed by its hash instead. */
const snippetHash = `'sha256-${createHash('sha256').update(snippetCode).digest('base64')}'`;

beforeAll(async () => {
  browser = await launchChromium();
  hostServer = createServer((req, res) => {
    const file = hostFiles.get(req.url ?? '');
    res.writeHead(file ? 200 : 404, { 'Content-Type': file?.type ?? 'text/plain', ...file?.headers });
    res.end(file?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${(hostServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => hostServer?.close(resolve));
});
beforeEach(async () => {
  waymark = await startWaymark();
  // The host's origin is one the workspace allows, as a customer sets it up.
  const patched = await fetch(`${waymark.url}/v1/admin/workspace`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${waymark.keys.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ allowedOrigins: [host] }),
  });
  expect(patched.status).toBe(200);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  // Every violation the page reports, from the document or any shadow root in it (the event is composed).
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __refused: string[] }).__refused = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.effectiveDirective} ${e.blockedURI}`),
    );
  });
  page = await context.newPage();
  refused = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  hostFiles.clear();
  hostFiles.set('/app/snippet.js', { type: 'text/javascript', body: snippetCode });
  hostFiles.set('/app/identify.js', {
    type: 'text/javascript',
    // A company that signed up just now: the demo's checklist is for accounts in their first month.
    body: `waymark.identify('csp-user', { name: 'Strict' });
waymark.group('csp-co', { name: 'Strict Co', createdAt: new Date().toISOString() });
waymark.track('Under Strict CSP');`,
  });
});
afterEach(async () => {
  await context.close();
  await waymark.close();
});

/** Serves `head` + the widget's tag at `path` on the host origin, with the policy as a response header. */
async function hostPage(path: string, head: string, csp: string, body = '<h1>Strict host</h1>') {
  hostFiles.set(path, {
    type: 'text/html',
    headers: { 'Content-Security-Policy': csp },
    body: `<!doctype html><html><head><title>Strict host</title>${head}
<script async src="${waymark.url}/widget.js" data-key="${waymark.keys.publishableKey}"></script></head>
<body><main>${body}</main></body></html>`,
  });
  await page.goto(`${host}${path}`);
}

const violations = () => page.evaluate(() => (window as unknown as { __refused: string[] }).__refused);
const panel = () => page.locator('waymark-widget').getByRole('dialog', { name: 'Get paid with Ledgerly' });

describe('the widget on a host page with a strict Content-Security-Policy', () => {
  it('loads, draws its checklist styled, sends events, and makes the page refuse nothing', async () => {
    await hostPage(
      '/app/',
      `<script src="/app/snippet.js"></script><script src="/app/identify.js"></script>`,
      policy(),
    );
    // The checklist (the demo workspace's, account scope) opens on first view, from the lazily loaded UI chunk.
    await panel().waitFor();
    const styled = await panel().evaluate((dialog) => {
      const root = dialog.getRootNode() as ShadowRoot;
      const style = getComputedStyle(dialog);
      return {
        sheets: root.adoptedStyleSheets.length,
        styleElements: root.querySelectorAll('style').length,
        position: style.position,
        right: style.right,
        borderRadius: style.borderTopLeftRadius !== '0px',
      };
    });
    // The widget's rules apply (a constructed stylesheet, not a <style> that style-src would refuse).
    expect(styled).toEqual({
      sheets: 1,
      styleElements: 0,
      position: 'fixed',
      right: '20px',
      borderRadius: true,
    });

    const rows = await waymark.waitForEvents((r) =>
      ['Under Strict CSP', '$waymark.checklist_shown'].every((name) => r.some((e) => e.name === name)),
    );
    expect(rows.find((r) => r.name === 'Under Strict CSP')).toMatchObject({
      user_id: 'csp-user',
      account_id: 'csp-co',
    });
    expect(rows.filter((r) => r.type === 'page').map((r) => JSON.parse(r.context ?? '{}').page?.url)).toEqual(
      [`${host}/app/`],
    );
    expect(await violations()).toEqual([]);
    expect(refused).toEqual([]);
  });

  it('places a spotlight (its own shadow root, positioned through CSSOM) and refuses nothing', async () => {
    // The demo workspace's export hotspot shows on pages at /demo/invoices, pointing at [data-tour="export"].
    hostFiles.set('/app/identify.js', { type: 'text/javascript', body: "waymark.identify('csp-spot');" });
    await hostPage(
      '/demo/invoices',
      `<script src="/app/snippet.js"></script><script src="/app/identify.js"></script>`,
      policy(),
      '<button data-tour="export">Export CSV</button>',
    );
    const widget = page.locator('waymark-widget');
    const beacon = widget.getByRole('button', { name: 'Open tip: Export for your accountant' });
    await beacon.waitFor();
    await beacon.focus();
    await page.keyboard.press('Enter');
    const tip = widget.getByRole('dialog', { name: 'Export for your accountant' });
    await tip.waitFor();
    await expect.poll(() => tip.getAttribute('data-side')).toBeTruthy();
    const placed = await tip.evaluate((element) => {
      const style = getComputedStyle(element);
      return { left: (element as HTMLElement).style.left !== '', position: style.position };
    });
    expect(placed).toEqual({ left: true, position: 'fixed' });
    await waymark.waitForEvents((r) => r.some((e) => e.name === '$waymark.spotlight_step_viewed'));
    expect(await violations()).toEqual([]);
    expect(refused).toEqual([]);
  });

  it('takes the inline pre-load snippet when the policy allows it by its hash', async () => {
    await hostPage(
      '/app/hashed',
      `${snippet}<script src="/app/identify.js"></script>`,
      policy(`'self' ${snippetHash}`),
    );
    await waymark.waitForEvents((r) => r.some((e) => e.name === 'Under Strict CSP'));
    await panel().waitFor();
    expect(await violations()).toEqual([]);
    expect(refused).toEqual([]);
  });

  it('is seen refusing what the policy does not allow (the check above can fail)', async () => {
    // The inline snippet without its hash: the page itself breaks the policy, and it is reported.
    await hostPage('/app/unhashed', snippet, policy());
    await expect.poll(violations).toEqual([expect.stringMatching(/^script-src-elem inline$/)]);
  });
});
