import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { installSnippet } from '../shared/install-snippet.ts';
import { workspaceInput } from '../shared/schemas/workspace.ts';
import { loadConfig } from './config.ts';
import { type Database, openDatabase, optimizeDatabase } from './db/client.ts';
import { workspaces } from './db/schema.ts';
import { GoalCatalog } from './goals/catalog.ts';
import { createLogger } from './logger.ts';
import { isEntryPoint } from './paths.ts';
import { type HistoryProgress, ingestHistory } from './seed/ingest-history.ts';
import { syntheticHistory } from './seed/synthetic.ts';
import { seedDemoContent } from './seed.ts';
import { createWorkspace, WorkspaceDirectory } from './workspaces/store.ts';

/**
 * `npm run seed:large`: a workspace holding a large, realistic history (server/seed/synthetic.ts),
 * for benchmarks and account health: the demo's content (milestones, checklist, spotlights, NPS
 * survey) published in a new workspace, then months of usage by thousands of accounts, written
 * through the same ingestion service as live traffic. Deterministic from `--seed` (and `--now`).
 */

const self = 'npm run seed:large --';

const usage = `Usage: ${self} [options]

Creates a workspace with the demo's content and a synthetic history, and prints its keys.

  --db <url>          the database (default: DATABASE_URL, as for npm start)
  --workspace <id>    the new workspace's id (default: synthetic)
  --accounts <n>      accounts (default 10000)
  --users <n>         users in all (default 200000; at least one per account)
  --events <n>        product events (track and page) in all (default 5000000); identify, group
                      and widget events come on top
  --days <n>          how far back the oldest account signed up (default 180)
  --seed <n>          the random seed (default 42): the same seed writes the same history
  --now <date>        the history's present, an ISO 8601 date-time (default: now)`;

/** Bad arguments: exit code 2. */
class UsageError extends Error {}

export interface SeedLargeDeps {
  /** Opens the database at `url`; called once the arguments are valid. */
  openDb: (url: string) => Promise<Database>;
  defaultDb: string;
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => number;
  /** The server's address, for the install snippet. */
  serverUrl: string;
}

export interface SeedLargePlan {
  db: string;
  workspace: string;
  accounts: number;
  users: number;
  events: number;
  days: number;
  seed: number;
  now: number;
}

/**
 * Runs the command (`argv` without `node` and the script) and answers its exit code: 0 done,
 * 1 failed (the workspace exists), 2 bad arguments.
 *
 * @example
 * await runSeedLarge(['--db', 'file:big.db', '--accounts', '100'], deps) // 0
 */
export async function runSeedLarge(argv: readonly string[], deps: SeedLargeDeps): Promise<number> {
  let plan: SeedLargePlan;
  try {
    plan = parsePlan(argv, deps);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message === 'help') {
      deps.out(usage);
      return 0;
    }
    deps.err(`error: ${error.message}\nRun "${self} --help" for the options.`);
    return 2;
  }
  const db = await deps.openDb(plan.db);
  try {
    const [taken] = await db.read
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(eq(workspaces.id, plan.workspace));
    if (taken) {
      deps.err(
        `error: a workspace with the id "${plan.workspace}" exists already; choose another with --workspace`,
      );
      return 1;
    }
    await seedLarge(db, plan, deps.out, deps.serverUrl);
    return 0;
  } finally {
    await db.close();
  }
}

/** Creates the workspace and its content, ingests the history, and prints progress and the keys. */
async function seedLarge(db: Database, plan: SeedLargePlan, out: (text: string) => void, serverUrl: string) {
  const created = await createWorkspace(db, { id: plan.workspace, name: 'Ledgerly (synthetic)' }, plan.now);
  const content = await seedDemoContent(db, plan.workspace, plan.now);
  const tenant = await new WorkspaceDirectory(db, () => plan.now).byKey(created.secretKey);
  if (!tenant) throw new Error('the new workspace does not answer to its own secret key');
  out(
    `Seeding ${plan.workspace} in ${plan.db}: ${n(plan.accounts)} accounts, ${n(plan.users)} users, ` +
      `about ${n(plan.events)} events over ${plan.days} days, seed ${plan.seed}`,
  );
  const report = async (p: HistoryProgress) => {
    // Planner statistics as the workspace grows from nothing: without them some of ingestion's
    // statements slow down as the tables grow (at 930,000 events: 3,000 events per CPU-second
    // instead of 8,000), and a server gathers them only at start and every 6 hours.
    await optimizeDatabase(db);
    out(
      `  ${n(p.messages)} messages (${n(p.accounts)} of ${n(plan.accounts)} accounts) in ` +
        `${(p.elapsedMs / 1000).toFixed(1)} s: ${n(rate(p))} events/s, ${n(perCpu(p))} per CPU-second`,
    );
  };
  const history = syntheticHistory({ ...plan, content });
  const done = await ingestHistory(db, tenant, new GoalCatalog(db), history, {
    now: plan.now,
    onProgress: report,
  });
  out(
    [
      '',
      `Stored ${n(done.accepted)} events (${n(done.messages - done.accepted)} duplicates) in ` +
        `${(done.elapsedMs / 1000).toFixed(1)} s: ${n(rate(done))} events/s, ${n(perCpu(done))} per CPU-second.`,
      '',
      `Workspace ${plan.workspace} (Ledgerly (synthetic)):`,
      `  publishable key:  ${created.publishableKey}`,
      `  secret key:       ${created.secretKey}`,
      `  identity secret:  ${created.identitySecret}`,
      'The secret key and the identity secret are shown this once.',
      `Try: curl -H "Authorization: Bearer ${created.secretKey}" ${serverUrl}/v1/admin/reports/time-to-value?subject=account`,
      '',
      installSnippet(serverUrl, created.publishableKey),
    ].join('\n'),
  );
}

const rate = (p: HistoryProgress) => Math.round(p.messages / Math.max(p.elapsedMs / 1000, 0.001));
const perCpu = (p: HistoryProgress) => Math.round(p.messages / Math.max(p.cpuMs / 1000, 0.001));
const n = (x: number) => x.toLocaleString('en-US');

function parsePlan(argv: readonly string[], deps: SeedLargeDeps): SeedLargePlan {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        db: { type: 'string' },
        workspace: { type: 'string' },
        accounts: { type: 'string' },
        users: { type: 'string' },
        events: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        now: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split(/\.\s/)[0] ?? String(error));
  }
  if (values.help) throw new UsageError('help');
  const count = (flag: string, fallback: number, min: number, max: number): number => {
    const text = values[flag];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (typeof text !== 'string' || !/^\d+$/.test(text) || value < min || value > max)
      throw new UsageError(`--${flag}: must be a whole number from ${n(min)} to ${n(max)}`);
    return value;
  };
  const accounts = count('accounts', 10_000, 1, 1_000_000);
  const users = count('users', 200_000, 1, 50_000_000);
  if (users < accounts)
    throw new UsageError('--users: must be at least --accounts (each account has a member)');
  const workspace = typeof values.workspace === 'string' ? values.workspace : 'synthetic';
  const id = workspaceInput.shape.id.safeParse(workspace);
  if (!id.success)
    throw new UsageError(`--workspace: ${id.error.issues[0]?.message ?? 'not a workspace id'}`);
  let now = deps.now();
  if (typeof values.now === 'string') {
    now = Date.parse(values.now);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(values.now) || Number.isNaN(now))
      throw new UsageError('--now: must be an ISO 8601 date-time, such as 2026-12-01T00:00:00Z');
  }
  return {
    db: typeof values.db === 'string' ? values.db : deps.defaultDb,
    workspace,
    accounts,
    users,
    events: count('events', 5_000_000, 0, 1_000_000_000),
    days: count('days', 180, 1, 3650),
    seed: count('seed', 42, 0, 2 ** 32 - 1),
    now,
  };
}

/** The process around runSeedLarge: the server's configuration, stdout and stderr, the exit code. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
    return;
  }
  process.exitCode = await runSeedLarge(process.argv.slice(2), {
    openDb: (url) =>
      openDatabase({
        url,
        authToken: config.DATABASE_AUTH_TOKEN,
        busyTimeoutMs: config.DATABASE_BUSY_TIMEOUT_MS,
        logger: createLogger('error'),
      }),
    defaultDb: config.DATABASE_URL,
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    now: Date.now,
    serverUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
  });
}

if (isEntryPoint(import.meta.url)) await main();
