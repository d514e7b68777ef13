import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type InternalEventName, internalEvents } from '../../shared/schemas/internal-event.ts';
import type { Waymark } from '../../widget/waymark.ts';
import { checklist, response } from './checklist-fixture.ts';
import { $, itemNamed, launcher, removeWidgets } from './checklist-host.ts';
import { answer, bootWith, type ContentEnv, contentEnv } from './content-fake.ts';
import { invalidMessages, start, tick } from './fake-env.ts';

/**
 * The widget's own interaction events, end to end: the real UI chunk, the real transport, the
 * messages as `POST /v1/batch` receives them, checked against shared/schemas/internal-event.ts.
 */
let env: ContentEnv;
let instance: Waymark;

const settle = async (ms = 0) => {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
    await tick();
  });
};
const click = async (element: Element | null) => {
  await act(() => (element as HTMLElement).click());
};
const internal = () =>
  env
    .messages()
    .filter((m) => String(m.event).startsWith('$waymark.'))
    .map((m) => [m.event, m.properties]);

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  env = contentEnv();
});
afterEach(() => {
  instance.stop();
  removeWidgets();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('internal events', () => {
  it('records shown, opened, item clicked, item checked, closed, completed and dismissed, exactly as the schema says', async () => {
    const first = response({ checklists: [checklist({ seen: false })] });
    const complete = response({
      checklists: [
        checklist({
          seen: true,
          items: checklist().items.map((i) => ({ ...i, doneAt: i.doneAt ?? '2026-11-23T10:00:01.000Z' })),
        }),
      ],
      servedAt: '2026-11-23T10:00:03.000Z',
    });
    env.contentReplies.push(answer(first), answer(complete));
    instance = bootWith(env, {
      queue: [['identify', ['u1'], start]],
      loadView: () => import('../../widget/view/main.ts'),
    });
    await settle(); // first view: shown, and the panel opens by itself
    const { api } = instance;
    const openInvoiceEditor = vi.fn();
    api.on('openInvoiceEditor', openInvoiceEditor);

    await click(itemNamed('Send your first invoice').querySelector('button'));
    await click(itemNamed('Watch the product tour').querySelector('input'));
    await click(launcher()); // closes
    await settle(1500); // item_checked delivered; 1.5 s later the server says all is done
    await click($('.foot button')); // dismiss
    await settle(1000);

    expect(openInvoiceEditor).toHaveBeenCalledWith({ checklistId: 'cl_onboarding', itemId: 'invoice' });
    const ref = { contentId: 'cl_onboarding', version: 3 };
    expect(internal()).toEqual([
      ['$waymark.checklist_shown', ref],
      ['$waymark.checklist_opened', ref],
      ['$waymark.checklist_item_clicked', { ...ref, itemId: 'invoice' }],
      ['$waymark.checklist_item_checked', { ...ref, itemId: 'tour' }],
      ['$waymark.checklist_closed', ref],
      ['$waymark.checklist_completed', ref],
      ['$waymark.checklist_dismissed', ref],
    ]);
    for (const [event, properties] of internal()) {
      const schema = internalEvents[String(event).slice('$waymark.'.length) as InternalEventName];
      expect(schema.strict().safeParse(properties).success, String(event)).toBe(true);
    }
    expect(invalidMessages(env.messages())).toEqual([]);
    expect(
      env
        .messages()
        .filter((m) => m.type === 'track')
        .every((m) => m.userId === 'u1'),
    ).toBe(true);
  });
});

describe('waymark.on()', () => {
  it('a throwing callback is logged, not thrown into the page; an unregistered one is logged', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    instance = bootWith(env, {
      queue: [['identify', ['u1'], start]],
      loadView: () => import('../../widget/view/main.ts'),
      debug: true,
    });
    await settle();
    const button = () => itemNamed('Send your first invoice').querySelector('button');

    await click(button());
    expect(warn).toHaveBeenCalledWith(
      '[waymark]',
      "no function registered with waymark.on('openInvoiceEditor')",
    );

    instance.api.on('openInvoiceEditor', () => {
      throw new Error('host bug');
    });
    await expect(click(button())).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      '[waymark]',
      "the function registered with waymark.on('openInvoiceEditor') threw",
      expect.any(Error),
    );
  });
});

describe('track() and the reserved prefix', () => {
  it('refuses event names starting with $waymark., logging why, and sends the rest', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    instance = bootWith(env, { loadView: undefined, debug: true });
    instance.api.track('$waymark.checklist_completed', { contentId: 'cl_onboarding', version: 3 });
    instance.api.track('$waymark.anything');
    instance.api.track('waymark.checklist_completed');
    instance.api.track('$waymarks');
    await settle(1000);

    expect(
      env
        .messages()
        .filter((m) => m.type === 'track')
        .map((m) => m.event),
    ).toEqual(['waymark.checklist_completed', '$waymarks']);
    expect(warn).toHaveBeenCalledWith(
      '[waymark]',
      'event names starting with $waymark. are reserved',
      '$waymark.checklist_completed',
    );
  });
});

describe('waymark.theme()', () => {
  const mode = () => $('.root')?.getAttribute('data-mode');

  it('a call queued before load sets the colour scheme; later calls change it; bad values are logged', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    env.contentReplies.push(answer(response({ checklists: [checklist({ seen: true })] })));
    instance = bootWith(env, {
      queue: [
        ['identify', ['u1'], start],
        ['theme', ['dark'], start],
      ],
      loadView: () => import('../../widget/view/main.ts'),
      debug: true,
    });
    await settle();
    expect(mode()).toBe('dark');
    await act(() => instance.api.theme('light'));
    expect(mode()).toBe('light');
    await act(() => instance.api.theme('sepia' as 'light'));
    expect(mode()).toBe('light');
    expect(warn).toHaveBeenCalledWith('[waymark]', "theme() needs 'light', 'dark' or 'auto'", 'sepia');
  });

  it('the tag’s data-theme (the `theme` option) sets it at load; a queued theme() wins', async () => {
    env.contentReplies.push(answer(response({ checklists: [checklist({ seen: true })] })));
    instance = bootWith(env, {
      queue: [['identify', ['u1'], start]],
      loadView: () => import('../../widget/view/main.ts'),
      theme: 'dark',
    });
    await settle();
    expect(mode()).toBe('dark');
    instance.stop();
    removeWidgets();

    env.contentReplies.push(answer(response({ checklists: [checklist({ seen: true })] })));
    instance = bootWith(env, {
      queue: [['theme', ['auto'], start]],
      loadView: () => import('../../widget/view/main.ts'),
      theme: 'dark',
    });
    await settle();
    expect(mode()).toBe('auto');
  });
});
