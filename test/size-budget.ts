/**
 * The widget's size budget, checked in CI after `npm run build`: the bytes a browser transfers.
 * The real server (createApp on a temporary database, listening on a free port) is asked for
 * `widget.js` and for every chunk it can load, with `Accept-Encoding: br, gzip` as browsers send it;
 * what is counted is each response body as it comes over the wire (compressed, not decoded).
 * Fails with a non-zero exit when a budget is exceeded.
 *
 * Budgets: the core script (`widget.js`, what every page downloads) 6 KB; all widget files together
 * 24 KB, the hard cap of the product (goal: 16 KB; the full onboarding platforms ship 120-270 KB).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from '../server/app.ts';
import { openDatabase } from '../server/db/client.ts';
import { createLogger } from '../server/logger.ts';

const KB = 1024;
const dist = join(import.meta.dirname, '..', 'dist');
const entryBudgets: Record<string, number> = { 'widget.js': 6 * KB };
const totalBudget = 24 * KB;
const totalGoal = 16 * KB;

if (!existsSync(join(dist, 'widget', 'widget.js'))) {
  console.error(`size budget: ${dist}/widget/widget.js is missing; run \`npm run build\` first.`);
  process.exit(1);
}

interface Transfer {
  status: number;
  encoding: string;
  body: Buffer;
}

/** GET with node:http, which (unlike fetch) hands over the body exactly as it was sent. */
function download(url: string): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'br, gzip' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          encoding: res.headers['content-encoding'] ?? 'none',
          body: Buffer.concat(parts),
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The chunks a file can load: the core names them as `widget/<file>.js`, a chunk imports `./<file>.js`. */
function chunksOf(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.matchAll(/\bwidget\/([\w-][\w.-]*\.js)\b/g)) names.add(m[1]!);
  for (const m of code.matchAll(/(?:\bfrom|\bimport\(?)\s*["'`]\.\/([\w-][\w.-]*\.js)["'`]/g))
    names.add(m[1]!);
  return [...names];
}

const dir = mkdtempSync(join(tmpdir(), 'waymark-size-'));
const logger = createLogger('silent');
const db = await openDatabase({ url: `file:${join(dir, 'size.db')}`, logger });
const app = createApp({ db, logger, distDir: dist });
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
});
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const rows: Array<{ name: string; raw: number; encoding: string; wire: number }> = [];
const failures: string[] = [];
try {
  // widget.js first, then whatever it (and each chunk) can load, each once.
  const queue = ['widget.js'];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const url = name === 'widget.js' ? `${base}/widget.js` : `${base}/widget/${name}`;
    const transfer = await download(url);
    if (transfer.status !== 200) {
      failures.push(`${url} answered ${transfer.status}`);
      continue;
    }
    const code = await (await app.request(url.slice(base.length))).text();
    rows.push({
      name,
      raw: Buffer.byteLength(code),
      encoding: transfer.encoding,
      wire: transfer.body.length,
    });
    for (const chunk of chunksOf(code))
      if (!queue.includes(chunk) && !rows.some((row) => row.name === chunk)) queue.push(chunk);
  }
} finally {
  await new Promise((resolve) => server.close(resolve));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

// A script in dist/widget that the walk did not reach is one the walk cannot see (or dead weight):
// either way the figure would be wrong.
const unseen = readdirSync(join(dist, 'widget'))
  .filter((name) => name.endsWith('.js') && !rows.some((row) => row.name === name))
  .sort();
if (unseen.length > 0) failures.push(`not reached from widget.js, so not measured: ${unseen.join(', ')}`);

const total = rows.reduce((sum, row) => sum + row.wire, 0);
const kb = (bytes: number) => `${(bytes / KB).toFixed(2)} KB`;
console.log(
  'file'.padEnd(24),
  'minified'.padStart(10),
  'encoding'.padStart(9),
  'on the wire'.padStart(12),
  'budget'.padStart(10),
);
for (const row of rows) {
  const budget = entryBudgets[row.name];
  console.log(
    row.name.padEnd(24),
    kb(row.raw).padStart(10),
    row.encoding.padStart(9),
    kb(row.wire).padStart(12),
    (budget ? kb(budget) : '').padStart(10),
  );
  if (row.encoding === 'none') failures.push(`${row.name} went out uncompressed`);
  if (budget && row.wire > budget)
    failures.push(`${row.name} is ${kb(row.wire)} on the wire, over ${kb(budget)}`);
}
console.log(
  'total'.padEnd(24),
  ''.padStart(10),
  ''.padStart(9),
  kb(total).padStart(12),
  kb(totalBudget).padStart(10),
);
if (total > totalBudget)
  failures.push(
    `everything a page can download is ${kb(total)} on the wire, over the ${kb(totalBudget)} cap (README, "Size")`,
  );
else if (total > totalGoal) console.log(`note: total is over the ${kb(totalGoal)} goal`);

if (failures.length > 0) {
  for (const failure of failures) console.error(`size budget exceeded: ${failure}`);
  process.exit(1);
}
console.log('size budget: ok');
