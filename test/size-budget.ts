/**
 * The widget's size budget, checked in CI after `npm run build`: the bytes a browser transfers.
 * The real server (createApp on a temporary database, listening on a free port) is asked for
 * `widget.js` and for every chunk it can load, with `Accept-Encoding: br, gzip` as browsers send it;
 * what is counted is each response body as it comes over the wire (compressed, not decoded).
 * Fails with a non-zero exit when a budget is exceeded.
 *
 * Budgets: the core script (`widget.js`, what every page downloads) 6 KB; all widget files together
 * 24 KB, the hard cap of the product (goal: 16 KB; the full onboarding platforms ship 120-270 KB).
 * The element picker's chunk (`picker-<hash>.js`) is listed apart and left out of that total: widget.js
 * loads it only on a preview link the console opened to pick an element (README, "Element picker"),
 * so only an author's browser ever downloads it; it has its own budget.
 *
 * The console (`/app`, server/console/) has its own budget: its first view, the portfolio a member
 * lands on after signing in, 120 KB gzipped on the wire: the page, the shell's script and styles, and
 * the portfolio's chunk with what it imports (read from the build's manifest). Every other view is a
 * chunk of its own, listed with what it adds.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
/** Chunks only authors download (see above), each with its budget, outside the end users' total. */
const authorsOnly = (name: string) => /^picker-[\w-]+\.js$/.test(name);
const authorsOnlyBudget = 8 * KB;
const totalBudget = 24 * KB;
const totalGoal = 16 * KB;
const consoleFirstViewBudget = 120 * KB;
const consoleDist = join(dist, 'console');

for (const built of [join(dist, 'widget', 'widget.js'), join(consoleDist, '.vite', 'manifest.json')]) {
  if (!existsSync(built)) {
    console.error(`size budget: ${built} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}

interface Transfer {
  status: number;
  encoding: string;
  body: Buffer;
}

/** GET with node:http, which (unlike fetch) hands over the body exactly as it was sent. */
function download(url: string, acceptEncoding = 'br, gzip'): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
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
/** The console's files as gzip sends them: each view's own chunks (the first view's include the shell). */
const consoleViews: Array<{ view: string; files: string[]; wire: number }> = [];
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

  // The console: what its first view downloads, then what each other view adds.
  const manifest = JSON.parse(readFileSync(join(consoleDist, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    { file: string; css?: string[]; imports?: string[]; isEntry?: boolean; dynamicImports?: string[] }
  >;
  /** A manifest entry's file, its CSS and those of everything it imports statically, each once. */
  const closure = (key: string, seen = new Set<string>()): string[] => {
    const chunk = manifest[key];
    if (!chunk || seen.has(key)) return [];
    seen.add(key);
    return [chunk.file, ...(chunk.css ?? []), ...(chunk.imports ?? []).flatMap((k) => closure(k, seen))];
  };
  const entry = Object.keys(manifest).find((key) => manifest[key]!.isEntry)!;
  const wire = async (files: string[]) => {
    let bytes = 0;
    for (const file of files) {
      const transfer = await download(`${base}/app/${file}`, 'gzip');
      if (transfer.status !== 200) failures.push(`/app/${file} answered ${transfer.status}`);
      if (file !== '' && transfer.encoding === 'none') failures.push(`/app/${file} went out uncompressed`);
      bytes += transfer.body.length;
    }
    return bytes;
  };
  const shell = closure(entry);
  const firstView = [...new Set(['', ...shell, ...closure('views/Portfolio.tsx')])];
  consoleViews.push({ view: 'first view (portfolio)', files: firstView, wire: await wire(firstView) });
  for (const view of manifest[entry]!.dynamicImports ?? []) {
    if (view === 'views/Portfolio.tsx') continue;
    const own = closure(view).filter((file) => !shell.includes(file));
    consoleViews.push({ view, files: own, wire: await wire(own) });
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

const total = rows.filter((row) => !authorsOnly(row.name)).reduce((sum, row) => sum + row.wire, 0);
const kb = (bytes: number) => `${(bytes / KB).toFixed(2)} KB`;
console.log(
  'file'.padEnd(24),
  'minified'.padStart(10),
  'encoding'.padStart(9),
  'on the wire'.padStart(12),
  'budget'.padStart(10),
);
for (const row of rows.filter((row) => !authorsOnly(row.name))) {
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
for (const row of rows.filter((row) => authorsOnly(row.name))) {
  console.log('only authors download (not in the total):');
  console.log(
    row.name.padEnd(24),
    kb(row.raw).padStart(10),
    row.encoding.padStart(9),
    kb(row.wire).padStart(12),
    kb(authorsOnlyBudget).padStart(10),
  );
  if (row.encoding === 'none') failures.push(`${row.name} went out uncompressed`);
  if (row.wire > authorsOnlyBudget)
    failures.push(`${row.name} is ${kb(row.wire)} on the wire, over ${kb(authorsOnlyBudget)}`);
}
if (!rows.some((row) => authorsOnly(row.name)))
  failures.push('the element picker’s chunk was not found from widget.js');

console.log();
console.log(
  'console (/app)'.padEnd(34),
  'files'.padStart(6),
  'gzip on the wire'.padStart(18),
  'budget'.padStart(10),
);
for (const row of consoleViews) {
  const first = row === consoleViews[0];
  console.log(
    (first ? row.view : `+ ${row.view}`).padEnd(34),
    String(row.files.length).padStart(6),
    kb(row.wire).padStart(18),
    (first ? kb(consoleFirstViewBudget) : '').padStart(10),
  );
}
if (consoleViews[0] && consoleViews[0].wire > consoleFirstViewBudget)
  failures.push(
    `the console's first view is ${kb(consoleViews[0].wire)} gzipped, over ${kb(consoleFirstViewBudget)}`,
  );

if (failures.length > 0) {
  for (const failure of failures) console.error(`size budget exceeded: ${failure}`);
  process.exit(1);
}
console.log('size budget: ok');
