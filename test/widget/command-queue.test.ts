import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { snippet } from '../../shared/install-snippet.ts';
import { replay } from '../../widget/command-queue.ts';

type Call = [method: string, args: unknown[], calledAt: number];

function record(queue: unknown, now = () => 999): Call[] {
  const calls: Call[] = [];
  replay(queue, (method, args, calledAt) => calls.push([method, args, calledAt]), now);
  return calls;
}

/** Runs the snippet's script as a host page would, defining `window.waymark`. */
function runSnippet(): { q: unknown[] } & Record<string, (...args: unknown[]) => void> {
  const code = snippet.replace(/<\/?script>/g, '');
  new Function(code)();
  return (window as unknown as { waymark: { q: unknown[] } & Record<string, (...args: unknown[]) => void> })
    .waymark;
}

afterEach(() => {
  delete (window as { waymark?: unknown }).waymark;
  vi.useRealTimers();
});

describe('replay of the pre-load queue', () => {
  it('runs every queued call in order, with its arguments and the time it was made', () => {
    const calls = record([
      ['identify', ['u1', { name: 'Ann' }], 100],
      ['track', ['Signed Up'], 200],
      ['page', [], 150],
    ]);

    expect(calls).toEqual([
      ['identify', ['u1', { name: 'Ann' }], 100],
      ['track', ['Signed Up'], 200],
      ['page', [], 150],
    ]);
  });

  it('uses the current time for calls queued without one', () => {
    expect(record([['track', ['X']]], () => 42)).toEqual([['track', ['X'], 42]]);
  });

  it.each([undefined, null, 'track', 12, { q: [] }, { length: 1, 0: ['track', ['X'], 1] }])(
    'does nothing with a queue that is not an array (%j)',
    (queue) => {
      expect(record(queue)).toEqual([]);
    },
  );

  it('skips malformed entries and replays the rest', () => {
    const calls = record([
      null,
      'track',
      [],
      [42, ['X']],
      { 0: 'track' },
      ['track', 'not an array', 5],
      ['page', undefined, 'yesterday'],
      ['track', ['kept'], 7],
    ]);

    expect(calls).toEqual([
      ['track', [], 5],
      ['page', [], 999],
      ['track', ['kept'], 7],
    ]);
  });
});

describe('the pre-load snippet', () => {
  it('is the same text as documented in command-queue.ts', () => {
    const source = readFileSync(join(import.meta.dirname, '../../widget/command-queue.ts'), 'utf8');
    const documented = source
      .match(/```html\n \* (<script>\n \* .*\n \* <\/script>)/)?.[1]
      ?.replace(/\n \* /g, '\n');

    expect(documented).toBe(snippet);
  });

  it('queues each method call as [method, arguments, Date.now()]', () => {
    vi.useFakeTimers({ now: 1_000 });
    const stub = runSnippet();
    stub.identify!('u1', { a: 1 });
    vi.setSystemTime(2_000);
    stub.track!('Clicked');
    stub.reset!();

    expect(stub.q).toEqual([
      ['identify', ['u1', { a: 1 }], 1_000],
      ['track', ['Clicked'], 2_000],
      ['reset', [], 2_000],
    ]);
    const methods = snippet.match(/"([a-z ]+)"\.split/)![1]!.split(' ');
    expect(methods).toEqual(expect.arrayContaining(['identify', 'group', 'track', 'page', 'reset', 'debug']));
    expect(Object.keys(stub).sort()).toEqual([...methods, 'q'].sort());
    expect(record(stub.q)).toEqual(stub.q);
  });

  it('leaves an existing window.waymark alone', () => {
    const existing = { version: '1.0.0' };
    (window as { waymark?: unknown }).waymark = existing;
    runSnippet();

    expect((window as { waymark?: unknown }).waymark).toBe(existing);
  });
});
