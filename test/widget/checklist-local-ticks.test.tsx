import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { carryMs } from '../../widget/checklist/controller.ts';
import type { Waymark } from '../../widget/waymark.ts';
import { checklist, response } from './checklist-fixture.ts';
import { $, itemNamed, removeWidgets } from './checklist-host.ts';
import { answer, bootWith, type ContentEnv, contentEnv, contentUrl } from './content-fake.ts';
import { type Reply, start, tick } from './fake-env.ts';

/**
 * The core and the real UI chunk together: a tracked event or a page view that satisfies an item's
 * `localRule` ticks it at once; the server is asked to confirm 1.5 s after it acknowledged the event.
 */
let env: ContentEnv;
let instance: Waymark;

const loadView = () => import('../../widget/view/main.ts');
const boot = (queue: unknown[] = []) => {
  instance = bootWith(env, { queue: [['identify', ['u1'], start], ...queue], loadView });
  return instance.api;
};
/** Runs timers due now, promise callbacks, renders and effects. */
const settle = async (ms = 0) => {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
    await tick();
  });
};
const ticked = (title: string) => (itemNamed(title).querySelector('input') as HTMLInputElement).checked;
const contentRequests = () => env.fetch.mock.calls.filter(([url]) => url === contentUrl).length;
const invoiceDone = () =>
  response({
    checklists: [
      checklist({
        items: checklist().items.map((i) =>
          i.id === 'invoice' ? { ...i, doneAt: '2026-11-23T10:00:00.500Z' } : i,
        ),
      }),
    ],
    servedAt: '2026-11-23T10:00:02.000Z',
  });
/** A reply the test releases later. */
const held = () => {
  let release!: (reply: Response) => void;
  const reply: Reply = () => new Promise<Response>((resolve) => (release = resolve));
  return { reply, release: (r: Response) => release(r) };
};

beforeEach(() => {
  vi.useFakeTimers({ now: start });
  env = contentEnv();
});
afterEach(() => {
  instance.stop();
  removeWidgets();
  vi.useRealTimers();
});

describe('local ticks', () => {
  it('a tracked event that satisfies the rule and its filters ticks the item at once', async () => {
    const api = boot();
    await settle();
    expect(ticked('Send your first invoice')).toBe(false);

    api.track('Invoice Sent', { amount: 0 }); // the rule wants amount > 0
    api.track('Invoice Drafted', { amount: 120 });
    await act(() => undefined);
    expect(ticked('Send your first invoice')).toBe(false);

    api.track('Invoice Sent', { amount: 120 });
    await act(() => undefined);
    expect(ticked('Send your first invoice')).toBe(true);
  });

  it('sends the event at once and asks the server 1.5 s after it acknowledged it', async () => {
    const api = boot();
    await settle(1000);
    const batches = env.requests.length;
    const asked = contentRequests();

    api.track('Invoice Sent', { amount: 120 });
    await settle();
    expect(env.requests).toHaveLength(batches + 1); // not waiting for the next batch
    expect(env.requests.at(-1)!.body.batch.map((m) => m.event)).toContain('Invoice Sent');

    await settle(1499);
    expect(contentRequests()).toBe(asked);
    await settle(1);
    expect(contentRequests()).toBe(asked + 1);
  });

  it('stays ticked when the server confirms it', async () => {
    const api = boot();
    await settle(1000);
    env.contentReplies.push(answer(invoiceDone()));

    api.track('Invoice Sent', { amount: 120 });
    await settle(1500);

    expect(ticked('Send your first invoice')).toBe(true);
  });

  it('is undone when an answer requested after the server had the event still says not done', async () => {
    const api = boot();
    await settle(1000);
    env.contentReplies.push(answer(response({ servedAt: '2026-11-23T10:00:02.000Z' })));

    api.track('Invoice Sent', { amount: 120 });
    await settle();
    expect(ticked('Send your first invoice')).toBe(true);
    await settle(1500);

    expect(ticked('Send your first invoice')).toBe(false);
  });

  it('stands against an answer requested before the server had the event', async () => {
    const api = boot();
    await settle(1000);
    const batch = held();
    env.replies.push(batch.reply);
    env.contentReplies.push(answer(response({ servedAt: '2026-11-23T10:00:02.000Z' })));

    api.track('Invoice Sent', { amount: 120 });
    api.group('acme'); // asks the server again while the event is still on its way
    await settle();
    expect(contentRequests()).toBe(2);
    expect(ticked('Send your first invoice')).toBe(true);

    env.contentReplies.push(answer(invoiceDone()));
    batch.release(new Response('{"success":true,"accepted":1,"duplicates":0,"rejected":[]}'));
    await settle(1500);
    expect(contentRequests()).toBe(3);
    expect(ticked('Send your first invoice')).toBe(true);
  });

  it('a page view whose URL matches the rule ticks the item (SPA navigation)', async () => {
    boot();
    await settle();
    expect(ticked('Look at your reports')).toBe(false);

    await act(() => env.fakeHistory.pushState(null, '', '/reports/2026?tab=q3'));

    expect(ticked('Look at your reports')).toBe(true);
  });

  it('an event tracked before the UI chunk arrived still ticks its item when it does', async () => {
    boot([['track', ['Invoice Sent', { amount: 50 }], start]]);
    await settle();

    expect(ticked('Send your first invoice')).toBe(true);
  });
});

describe('events only the server can judge', () => {
  const milestone = () =>
    response({
      checklists: [
        checklist({
          items: [
            ...checklist().items,
            {
              id: 'bank',
              title: ['Connect a bank'],
              description: [],
              required: true,
              manual: false,
              doneAt: null,
            },
          ],
        }),
      ],
    });

  it('make the widget ask again 1.5 s after their delivery, at most once every 10 s', async () => {
    env.contentReplies.push(answer(milestone()));
    const api = boot();
    await settle(1000);
    env.contentReplies.push(answer(milestone()), answer(milestone()));
    const asked = contentRequests();

    api.track('Bank Account Connected');
    await settle(1000); // delivered with the next batch
    await settle(1500);
    expect(contentRequests()).toBe(asked + 1);

    api.track('Something Else');
    await settle(1000);
    await settle(1500);
    expect(contentRequests()).toBe(asked + 1); // not yet: 10 s since the last time
    await settle(7500);
    expect(contentRequests()).toBe(asked + 2);
  });

  it('do not when every undone item has a local rule or is manual', async () => {
    const api = boot();
    await settle(1000);
    const asked = contentRequests();

    api.track('Something Else');
    await settle(20_000);

    expect(contentRequests()).toBe(asked);
  });
});

describe('carried to the next page load', () => {
  /** The page goes away (its widget with it) and the next one boots on the same storage, `afterMs` later. */
  const reload = (queue: unknown[] = [['identify', ['u1'], Date.now()]], afterMs = 0) => {
    instance.stop();
    removeWidgets();
    vi.setSystemTime(Date.now() + afterMs);
    instance = bootWith(env, { queue, loadView });
    return instance.api;
  };
  const announced = () => $('[role="status"]')?.textContent ?? '';

  it('a tick the server acknowledged shows at once on the next page, before its answer, and is not news', async () => {
    const api = boot();
    await settle(1000);
    api.track('Invoice Sent', { amount: 120 });
    await settle(); // sent and acknowledged; the confirming answer would come 1.5 s later

    const answerOnLoad = held();
    env.contentReplies.push(answerOnLoad.reply);
    reload();
    await settle(); // drawn from the cached copy, which has the item undone

    expect(ticked('Send your first invoice')).toBe(true);
    answerOnLoad.release(answer(invoiceDone()));
    await settle();
    expect(ticked('Send your first invoice')).toBe(true);
    expect(announced()).toBe('');
  });

  it('an event still on its way is resent by the next page, and its tick stands until that is confirmed', async () => {
    const api = boot();
    await settle(1000);
    const lost = held(); // the page goes away before the server answers
    env.replies.push(lost.reply);
    api.track('Invoice Sent', { amount: 120 });
    await settle();

    env.contentReplies.push(
      answer(response({ servedAt: '2026-11-23T10:00:02.000Z' })),
      answer(invoiceDone()),
    );
    reload();
    await settle(); // the answer on load was requested before the server had the event
    expect(ticked('Send your first invoice')).toBe(true);

    await settle(1000); // the stored message goes out again with this page's first batch
    expect(env.messages().filter((m) => m.event === 'Invoice Sent')).toHaveLength(2);
    await settle(1500);
    expect(ticked('Send your first invoice')).toBe(true);
    expect(contentRequests()).toBe(3);
  });

  it('goes when an answer requested after this page’s first delivery still says not done', async () => {
    const api = boot();
    await settle(1000);
    api.track('Invoice Sent', { amount: 120 });
    await settle();

    reload();
    await settle();
    expect(ticked('Send your first invoice')).toBe(true); // the answer on load proves nothing yet

    env.contentReplies.push(answer(response({ servedAt: '2026-11-23T10:00:05.000Z' })));
    await settle(1000); // this page's page view is delivered
    await settle(1500);
    expect(ticked('Send your first invoice')).toBe(false);
  });

  it('is not carried to another user, nor once it is older than carryMs', async () => {
    const api = boot();
    await settle(1000);
    api.track('Invoice Sent', { amount: 120 });
    await settle();

    reload([['identify', ['u2'], Date.now()]]);
    await settle();
    expect(ticked('Send your first invoice')).toBe(false);

    const again = reload();
    await settle();
    expect(ticked('Send your first invoice')).toBe(false); // u2's page load dropped u1's record

    again.track('Invoice Sent', { amount: 120 });
    await settle();
    reload(undefined, carryMs - 1);
    await settle();
    expect(ticked('Send your first invoice')).toBe(true);
    reload(undefined, 1);
    await settle();
    expect(ticked('Send your first invoice')).toBe(false);
  });
});
