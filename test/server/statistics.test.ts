import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepStatistics, openDatabase, statisticsDue } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';

describe('planner statistics', () => {
  it('are due again once the events have grown by half, and by at least 100,000 rows', () => {
    expect(statisticsDue(0, 99_999)).toBe(false);
    expect(statisticsDue(0, 100_000)).toBe(true);
    expect(statisticsDue(200_000, 299_999)).toBe(false);
    expect(statisticsDue(200_000, 300_000)).toBe(true);
    expect(statisticsDue(1_000_000, 1_499_999)).toBe(false);
    expect(statisticsDue(1_000_000, 1_500_000)).toBe(true);
  });

  it('are gathered at start, and again once the events outgrow them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-stats-'));
    const db = await openDatabase({ url: `file:${join(dir, 't.db')}`, logger: createLogger('silent') });
    const insert = (from: number, to: number) =>
      db.writer.batch([
        {
          sql: `INSERT INTO events (workspace_id, message_id, type, name, user_id, timestamp, received_at)
            SELECT 'ws1', 'm' || value, 'track', 'E' || (value % 7), 'u' || (value % 50), value, value
            FROM generate_series(?, ?)`,
          args: [from, to],
        },
      ]);
    const settle = () => new Promise((done) => setTimeout(done, 100));
    let runs = 0;
    const errors: unknown[] = [];
    try {
      await insert(1, 1000);
      const stop = await keepStatistics(db, (error) => errors.push(error), {
        checkMs: 10,
        optimize: async () => {
          runs++;
        },
      });
      expect(runs).toBe(1);
      await insert(1001, 90_000); // grown by 89,000: not yet
      await settle();
      expect(runs).toBe(1);
      await insert(90_001, 101_000); // by 100,000 now
      await settle();
      expect(runs).toBe(2);
      await settle();
      expect(runs).toBe(2);
      stop();
      expect(errors).toEqual([]);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
