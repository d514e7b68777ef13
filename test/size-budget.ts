/**
 * The widget's size budget, checked in CI after `npm run build`: minified + gzipped bytes of each
 * entry point, and of everything a host page can ever download from Waymark (every file in
 * dist/widget). Fails with a non-zero exit when a budget is exceeded.
 *
 * Budgets: the core script (`widget.js`, what every page downloads) 6 KB; all widget files together
 * 24 KB, the hard cap of the product (goal: 16 KB; the full onboarding platforms ship 120-270 KB).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const KB = 1024;
const dir = join(import.meta.dirname, '..', 'dist', 'widget');
const entryBudgets: Record<string, number> = { 'widget.js': 6 * KB };
const totalBudget = 24 * KB;
const totalGoal = 16 * KB;

if (!existsSync(join(dir, 'widget.js'))) {
  console.error(`size budget: ${dir}/widget.js is missing; run \`npm run build\` first.`);
  process.exit(1);
}

const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((name) => /\.(js|css)$/.test(name))
  .sort();
const rows = files.map((name) => {
  const raw = readFileSync(join(dir, name));
  return { name, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
});
const total = rows.reduce((sum, row) => sum + row.gzip, 0);

const kb = (bytes: number) => `${(bytes / KB).toFixed(2)} KB`;
const failures: string[] = [];
console.log('file'.padEnd(32), 'minified'.padStart(10), 'gzip'.padStart(10), 'budget'.padStart(10));
for (const row of rows) {
  const budget = entryBudgets[row.name];
  console.log(
    row.name.padEnd(32),
    kb(row.raw).padStart(10),
    kb(row.gzip).padStart(10),
    (budget ? kb(budget) : '').padStart(10),
  );
  if (budget && row.gzip > budget)
    failures.push(`${row.name} is ${kb(row.gzip)} gzipped, over ${kb(budget)}`);
}
console.log('total'.padEnd(32), ''.padStart(10), kb(total).padStart(10), kb(totalBudget).padStart(10));
if (total > totalBudget)
  failures.push(
    `all widget files are ${kb(total)} gzipped, over the ${kb(totalBudget)} cap (README, "Size")`,
  );
else if (total > totalGoal) console.log(`note: total is over the ${kb(totalGoal)} goal`);

if (failures.length > 0) {
  for (const failure of failures) console.error(`size budget exceeded: ${failure}`);
  process.exit(1);
}
console.log('size budget: ok');
