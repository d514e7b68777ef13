import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  DeliveredChecklist,
  DeliveredSpotlight,
  DeliveredSurvey,
} from '../../shared/schemas/content.ts';
import { launchChromium, shotsDir } from './harness.ts';
import type { HarnessProps } from './widget-preview/harness.tsx';

/**
 * The console's widget preview (server/console/components/WidgetPreview.tsx), in a test page built
 * here by Vite with the console's own configuration (`--mode console`: the frame script is bundled
 * as the console bundles it) and served by Vite's preview server: the product has no page for it
 * until a builder places it.
 */
const harnessRoot = resolve(import.meta.dirname, 'widget-preview');
let outDir: string;
let server: PreviewServer;
let browser: Browser;
let page: Page;
/** Every URL the page and its frames asked for. */
let requests: string[] = [];

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'waymark-widget-preview-'));
  await build({
    configFile: resolve(import.meta.dirname, '../../vite.config.ts'),
    mode: 'console',
    root: harnessRoot,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, manifest: false },
  });
  server = await preview({
    configFile: false,
    root: harnessRoot,
    base: '/app/',
    logLevel: 'warn',
    build: { outDir },
    // The headers the server sends with the console's page (server/routes/static.ts): the preview's
    // frame, a document of the page's own (srcdoc), must draw under them.
    preview: {
      port: 0,
      host: '127.0.0.1',
      strictPort: false,
      headers: { 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' },
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.httpServer.close(() => done()) : done()));
  rmSync(outDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await page?.context().close();
  // A context of its own (axe-core needs one), closed with the next test's start or the browser.
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  requests = [];
  page.on('request', (request) => requests.push(request.url()));
  const { port } = server.httpServer.address() as AddressInfo;
  await page.goto(`http://127.0.0.1:${port}/app/`);
});

const show = (props: HarnessProps) => page.evaluate((p) => window.showPreview(p), props);
const frame = (): FrameLocator => page.frameLocator('.widget-preview iframe');
/** The widget's element in the frame; locators pierce its open shadow root. */
const widget = () => frame().locator('waymark-widget');
const control = (name: string) => page.getByRole('button', { name, exact: true });

/** Requests that would record events or ask for real content: a preview makes none. */
const widgetTraffic = () => requests.filter((url) => /\/v1\/(batch|content)\b/.test(url));

const checklist = (locale: 'en' | 'fr'): DeliveredChecklist => ({
  id: 'cl_preview',
  version: 0,
  scope: 'user',
  locale,
  title: [locale === 'en' ? 'Get started with Acme' : 'Bien démarrer avec Acme'],
  description: [locale === 'en' ? 'Three steps to your first invoice.' : 'Trois étapes vers votre facture.'],
  position: 'bottom-right',
  // What ties it to pages and to a user: the preview shows it anyway.
  openOnFirstView: false,
  dismissible: true,
  urls: [{ match: 'glob', pattern: '/settings/**', withQuery: false }],
  excludeUrls: [],
  items: [
    {
      id: 'invite',
      title: [locale === 'en' ? 'Invite a teammate' : 'Inviter un collègue'],
      description: [],
      required: true,
      manual: true,
      doneAt: null,
    },
    {
      id: 'invoice',
      title: [locale === 'en' ? 'Send an invoice' : 'Envoyer une facture'],
      description: [],
      required: true,
      manual: false,
      doneAt: null,
    },
  ],
  seen: true,
  dismissed: true,
});

const survey = (locale: 'en' | 'fr'): DeliveredSurvey => ({
  id: 'sv_preview',
  version: 0,
  locale,
  question:
    locale === 'en'
      ? 'How likely are you to recommend Acme to a friend?'
      : 'Recommanderiez-vous Acme à un ami ?',
  lowLabel: locale === 'en' ? 'Not likely' : 'Peu probable',
  highLabel: locale === 'en' ? 'Very likely' : 'Très probable',
  followUp: { detractor: 'What went wrong?', passive: 'What is missing?', promoter: 'What do you like?' },
  thankYou: 'Thank you!',
  position: 'bottom-right',
  theme: {
    brandColor: '#0f766e',
    font: 'system-ui, sans-serif',
    radius: 8,
    mode: 'auto',
    onBrand: '#fff',
  },
  delaySeconds: 30,
  urls: [],
  excludeUrls: [{ match: 'glob', pattern: '/**', withQuery: false }],
  askAgainAfterResponseDays: 90,
  askAgainAfterDismissDays: 30,
  redisplayAfterHours: 24,
});

const tour: DeliveredSpotlight = {
  id: 'sp_preview',
  version: 0,
  locale: 'en',
  steps: [
    {
      id: 's1',
      kind: 'tooltip',
      title: ['Start here'],
      body: ['Everything begins on this page.'],
      anchor: { selector: '[data-tour="dashboard"]', pierceShadow: true },
      placement: { side: 'bottom', align: 'center', offset: 10 },
      page: { match: 'glob', pattern: '/dashboard', withQuery: false },
      pageUrl: 'https://app.acme.com/dashboard',
      advance: 'next',
      whenMissing: 'wait',
      waitSeconds: 10,
      whenHidden: 'center',
      backdrop: false,
    },
    {
      id: 's2',
      kind: 'tooltip',
      title: ['Then here'],
      body: ['And this is where it ends.'],
      anchor: { selector: '[data-tour="reports"]', pierceShadow: true },
      placement: { side: 'bottom', align: 'center', offset: 10 },
      advance: 'next',
      whenMissing: 'wait',
      waitSeconds: 10,
      whenHidden: 'center',
      backdrop: false,
    },
  ],
  trigger: { kind: 'click', selector: '#nothing-in-the-preview' },
  urls: [{ match: 'glob', pattern: '/dashboard', withQuery: false }],
  excludeUrls: [],
  priority: 0,
  dismissible: true,
  resumeAt: null,
  preview: false,
};

describe('the widget preview of the console', () => {
  it('draws a checklist with the widget’s own elements in the frame’s shadow root, light and dark, desktop and phone, in each language, and sends nothing', async () => {
    await show({
      kind: 'checklist',
      locales: ['en', 'fr'],
      byLocale: { en: checklist('en'), fr: checklist('fr') },
    });
    const panel = widget().getByRole('dialog', { name: 'Get started with Acme' });
    await panel.waitFor();
    // Drawn inside the frame, by the widget: its element holds an open shadow root with the panel.
    const inShadow = await page
      .frameLocator('.widget-preview iframe')
      .locator('body')
      .evaluate(
        (body) =>
          !!body.querySelector('waymark-widget')?.shadowRoot?.querySelector('.panel') &&
          !body.querySelector('.panel'),
      );
    expect(inShadow).toBe(true);
    expect(await page.locator('waymark-widget').count()).toBe(0); // nothing in the console's own page
    expect(await panel.getByText('Invite a teammate').count()).toBe(1);

    const background = () => panel.evaluate((el) => getComputedStyle(el).backgroundColor);
    const light = await background();
    await control('Dark').click();
    await expect.poll(background).not.toBe(light);
    expect(await control('Dark').getAttribute('aria-pressed')).toBe('true');

    const width = () =>
      frame()
        .locator('html')
        .evaluate(() => window.innerWidth);
    expect(await width()).toBe(1280);
    await control('Phone').click();
    await expect.poll(width).toBe(375);
    expect(
      await page.locator('.widget-preview iframe').evaluate((el) => el.getBoundingClientRect().width),
    ).toBe(375);

    await page.getByLabel('Language').selectOption('fr');
    await widget().getByRole('dialog', { name: 'Bien démarrer avec Acme' }).waitFor();
    await page.screenshot({ path: join(shotsDir, 'widget-preview-checklist.png') });
    expect(await widget().getByText('Inviter un collègue').count()).toBe(1);
    // The widget's own words follow the language too (shared/widget-strings.ts).
    expect(await widget().getByRole('button', { name: 'Fermer', exact: true }).count()).toBeGreaterThan(0);

    expect(widgetTraffic()).toEqual([]);
  });

  it('draws a survey, and shows it again after it was dismissed', async () => {
    await show({ kind: 'survey', locales: ['en', 'fr'], byLocale: { en: survey('en'), fr: survey('fr') } });
    const prompt = widget().getByRole('region', { name: 'Quick survey' });
    await prompt.waitFor();
    const question = 'How likely are you to recommend Acme to a friend?';
    expect(await prompt.getByRole('radiogroup', { name: question }).count()).toBe(1);
    // Its own theme: the survey's brand colour on the score buttons' selection and on "Send".
    await prompt.getByRole('button', { name: 'Close', exact: true }).click();
    await prompt.waitFor({ state: 'detached' });
    await control('Replay').click();
    await widget().getByRole('region', { name: 'Quick survey' }).waitFor();

    await page.getByLabel('Language').selectOption('fr');
    await widget().getByRole('radiogroup', { name: 'Recommanderiez-vous Acme à un ami ?' }).waitFor();
    expect(widgetTraffic()).toEqual([]);
  });

  it('draws a two-step tour on the placeholder page, step by step, and says its targets are placeholders', async () => {
    await show({ kind: 'spotlight', locales: ['en'], byLocale: { en: tour } });
    expect(await page.getByText('Steps point at placeholder blocks').count()).toBe(1);
    const first = widget().getByRole('dialog', { name: 'Start here' });
    await first.waitFor();
    // Anchored to a placeholder block of the frame's page, below it as placed.
    const below = async (step: Locator, target: number) => {
      const tip = await step.boundingBox();
      const block = await frame().locator(`[data-preview-target="${target}"]`).boundingBox();
      return !!tip && !!block && tip.y >= block.y + block.height;
    };
    expect(await below(first, 0)).toBe(true);
    await first.getByRole('button', { name: 'Next' }).click();
    const second = widget().getByRole('dialog', { name: 'Then here' });
    await second.waitFor();
    expect(await below(second, 1)).toBe(true);
    await page.screenshot({ path: join(shotsDir, 'widget-preview-tour.png') });
    await second.getByRole('button', { name: 'Done' }).click();
    await second.waitFor({ state: 'detached' });
    await control('Replay').click();
    await widget().getByRole('dialog', { name: 'Start here' }).waitFor();
    expect(widgetTraffic()).toEqual([]);
  });

  it('has controls axe-core finds nothing wrong with, in the console’s light and dark', async () => {
    await show({ kind: 'spotlight', locales: ['en', 'fr'], byLocale: { en: tour, fr: tour } });
    await widget().getByRole('dialog', { name: 'Start here' }).waitFor();
    // The widget inside is checked by its own tests (widgetViolations); here, what the console adds.
    const violations = async () =>
      (await new AxeBuilder({ page }).include('.widget-preview').exclude('iframe').analyze()).violations.map(
        (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      );
    expect(await violations()).toEqual([]);
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'dark';
    });
    expect(await violations()).toEqual([]);
  });

  it('asks to fix the errors for a draft with errors or a partial one, and throws nothing into the console', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await show({ kind: 'checklist', locales: ['en'], byLocale: null });
    await page.getByText('Fix the errors to see the preview.').waitFor();
    const { items: _items, ...partial } = checklist('en');
    await show({ kind: 'checklist', locales: ['en'], byLocale: { en: partial } });
    await page.getByText('Fix the errors to see the preview.').waitFor();
    expect(await page.getByText('/items:').count()).toBe(1);
    expect(await page.locator('.widget-preview-stage').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });
});
