import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

// The delivery log a page at a time (README, "Webhooks"): newest first, `next` the cursor of the page
// after, so a log longer than one answer can be read to its end.
let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** An endpoint and `n` test deliveries to it: two queued in each millisecond, so times tie. */
async function logOf(n: number) {
  // The worker is never started: deliveries stay pending, nothing is sent.
  h = await createHarness(undefined, { webhooks: { allowPrivate: true } });
  const created = await h.adminJson('/webhooks', 'POST', { url: 'https://hooks.example.com/waymark' });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const queued: Array<{ id: string; createdAt: string }> = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) h.clock.now += 1;
    const res = await h.adminJson(`/webhooks/${id}/test`, 'POST');
    expect(res.status).toBe(202);
    queued.push(res.body);
  }
  return { id, queued };
}

describe('GET /v1/admin/webhooks/{id}/deliveries, paged', () => {
  it('answers every delivery once, newest first, a page at a time, and no cursor after the last', async () => {
    const { id, queued } = await logOf(7);
    // Newest first; two queued in one millisecond come by id, the larger first.
    const expected = [...queued]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map((d) => d.id);

    const seen: string[] = [];
    const sizes: number[] = [];
    let before: string | null = null;
    do {
      const query: string = before === null ? 'limit=3' : `limit=3&before=${before}`;
      const res = await h.adminJson(`/webhooks/${id}/deliveries?${query}`);
      expect(res.status).toBe(200);
      sizes.push(res.body.deliveries.length);
      seen.push(...res.body.deliveries.map((d: { id: string }) => d.id));
      before = res.body.next;
    } while (before !== null);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(expected);

    // A page that ends exactly at the last delivery has no next.
    const whole = await h.adminJson(`/webhooks/${id}/deliveries?limit=7`);
    expect(whole.body.deliveries).toHaveLength(7);
    expect(whole.body.next).toBeNull();
  });

  it('pages within a status filter', async () => {
    const { id } = await logOf(3);
    const first = await h.adminJson(`/webhooks/${id}/deliveries?status=pending&limit=2`);
    expect(first.body.deliveries).toHaveLength(2);
    expect(first.body.next).toMatch(/^\d+\.whd_/);
    const second = await h.adminJson(
      `/webhooks/${id}/deliveries?status=pending&limit=2&before=${first.body.next}`,
    );
    expect(second.body.deliveries).toHaveLength(1);
    expect(second.body.next).toBeNull();
    const delivered = await h.adminJson(`/webhooks/${id}/deliveries?status=delivered`);
    expect(delivered.body).toEqual({ deliveries: [], next: null });
  });

  it('refuses a cursor it did not give, naming the field', async () => {
    const { id } = await logOf(1);
    const res = await h.adminJson(`/webhooks/${id}/deliveries?before=yesterday`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([
      { pointer: '/before', detail: 'must be the `next` cursor of a previous page' },
    ]);
  });
});
