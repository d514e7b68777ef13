import { type ParseArgsConfig, parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { installSnippet } from '../shared/install-snippet.ts';
import { defaultOverlapHours, keyRotation } from '../shared/schemas/api-key.ts';
import { teamEmail, teamPassword } from '../shared/schemas/team.ts';
import { workspaceInput } from '../shared/schemas/workspace.ts';
import { createAuth, serverSecret } from './auth/auth.ts';
import { createMember, EmailTaken } from './auth/owners.ts';
import { loadConfig } from './config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { workspaces } from './db/schema.ts';
import { ApiError } from './http/api-error.ts';
import { createLogger } from './logger.ts';
import { isEntryPoint } from './paths.ts';
import { listKeys, revokeKey, rotateKey } from './workspaces/api-keys.ts';
import { createWorkspace, listWorkspaces, workspaceIdFromName } from './workspaces/store.ts';

/**
 * Waymark's command line, for a real install: create workspaces, list them, and rotate or revoke
 * their keys, on the server's own database and through the same services as the admin API.
 * `npm run waymark -- help` lists the commands. A running server sees key changes made here within
 * the few seconds its key lookups are cached (see the README, "Keys").
 */

/** What the commands need from outside: tests pass their own, `main` the real ones. */
export interface CliDeps {
  /** Opens the database; called only once the arguments are valid, so a typo creates no file. */
  openDb: () => Promise<Database>;
  /** Standard output, one call per line or block. */
  out: (text: string) => void;
  /** Standard error. */
  err: (text: string) => void;
  now: () => number;
  /** Where users reach the server (`PUBLIC_URL`, else this machine): the install snippet's address. */
  serverUrl: string;
}

/** How people run it: the package script. */
const self = 'npm run waymark --';

/** Bad arguments: exit code 2, with the usage hint. */
class UsageError extends Error {}
/** A command that could not do its work (unknown workspace, last key): exit code 1. */
class CommandError extends Error {}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;
/** What a command does once the database is open. */
type Work = (db: Database, deps: CliDeps) => Promise<void>;
interface Command {
  options: NonNullable<ParseArgsConfig['options']>;
  required: string[];
  /** Checks the arguments (throwing a UsageError) before anything is opened, and returns the work. */
  plan(values: Values): Work;
}

const usage = `Usage: ${self} <command> [options]

Commands:
  workspace create --name <name> [--id <id>] [--origin <origin> ...]
      Creates a workspace and prints its keys, its identity secret and the install snippet.
      The secret key and the identity secret are shown this once. --id defaults to the name in
      lowercase with dashes; each --origin is allowed to call from browsers (https://app.acme.com).
  workspace list
      Every workspace: id, name, publishable key, created.
  keys list --workspace <id>
      The workspace's keys: publishable ones in full, secret ones by their last characters.
  keys rotate --workspace <id> --kind secret|publishable [--overlap-hours <n>]
      A new key, shown once; the previous keys of that kind keep working for n hours
      (default ${defaultOverlapHours}; 0 ends them now).
  keys revoke --workspace <id> --key <key_id>
      Ends a key at once. Refused for the last key of its kind without an end date.
  create-owner --email <email> --password <password> --workspace <id or name> [--name <name>]
      A team member who signs in to the console at /app as owner of the workspace: an existing
      one by its id, else a new one of that name (its keys are printed once). --name defaults to
      the part of the email before the @.

The database is the server's: DATABASE_URL and DATABASE_AUTH_TOKEN, as for npm start.`;

const commands: Record<string, Command> = {
  'create-owner': {
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      workspace: { type: 'string' },
      name: { type: 'string' },
    },
    required: ['email', 'password', 'workspace'],
    plan(values) {
      const email = String(values.email).trim().toLowerCase();
      const input = validate(
        z.object({ email: teamEmail, password: teamPassword, name: z.string().trim().min(1).max(200) }),
        { email, password: values.password, name: values.name ?? email.split('@')[0] },
        { email: '--email', password: '--password', name: '--name' },
      );
      const workspace = String(values.workspace);
      return async (db, deps) => {
        const auth = createAuth({
          db,
          logger: createLogger('error'),
          secret: await serverSecret(db, deps.now()),
          publicUrl: deps.serverUrl,
          ownOrigins: () => [new URL(deps.serverUrl).origin],
          mail: async () => {},
          rateLimits: false,
        });
        const lines: string[] = [];
        let workspaceId = workspace;
        if (!(await workspaceExists(db, workspace))) {
          workspaceId = workspaceIdFromName(workspace);
          const named = validate(
            workspaceInput,
            { id: workspaceId, name: workspace },
            { id: '--workspace', name: '--workspace' },
          );
          if (await workspaceExists(db, named.id)) {
            throw new CommandError(
              `a workspace with the id "${named.id}" exists already: pass --workspace ${named.id} to use it`,
            );
          }
          const created = await createWorkspace(db, named, deps.now());
          lines.push(
            `Created the workspace ${named.id} (${named.name}).`,
            `  publishable key:  ${created.publishableKey}`,
            `  secret key:       ${created.secretKey}   (shown this once)`,
            '',
          );
        }
        try {
          await createMember({ db, auth, now: deps.now() }, input, [workspaceId], 'owner');
        } catch (error) {
          if (error instanceof EmailTaken) throw new CommandError(error.message);
          throw error;
        }
        lines.push(
          `${input.email} is owner of ${workspaceId}: sign in at ${new URL('/app', deps.serverUrl).href}`,
        );
        deps.out(lines.join('\n'));
      };
    },
  },
  'workspace create': {
    options: { name: { type: 'string' }, id: { type: 'string' }, origin: { type: 'string', multiple: true } },
    required: ['name'],
    plan(values) {
      const name = String(values.name);
      const id = typeof values.id === 'string' ? values.id : workspaceIdFromName(name);
      if (id === '')
        throw new UsageError('--id is required when --name has no letters or digits to make one of');
      const input = validate(
        workspaceInput,
        { id, name, allowedOrigins: values.origin ?? [] },
        { id: '--id', name: '--name', allowedOrigins: '--origin' },
      );
      return async (db, deps) => {
        if (await workspaceExists(db, input.id)) {
          throw new CommandError(
            `a workspace with the id "${input.id}" exists already; choose another with --id`,
          );
        }
        const created = await createWorkspace(db, input, deps.now());
        deps.out(
          [
            `Created the workspace ${input.id} (${input.name}).`,
            '',
            `  publishable key:  ${created.publishableKey}`,
            `  secret key:       ${created.secretKey}`,
            `  identity secret:  ${created.identitySecret}`,
            '',
            'The secret key and the identity secret are shown this once: keep them in your secrets store now.',
            'The secret key is kept only as a hash; should it be lost, make a new one:',
            `  ${self} keys rotate --workspace ${input.id} --kind secret`,
            `Allowed browser origins: ${input.allowedOrigins.join(', ') || "none yet (only this server's own pages); add them with --origin or PATCH /v1/admin/workspace"}`,
            '',
            ...snippetLines(deps.serverUrl, created.publishableKey),
          ].join('\n'),
        );
      };
    },
  },
  'workspace list': {
    options: {},
    required: [],
    plan: () => async (db, deps) => {
      const rows = await listWorkspaces(db, deps.now());
      if (rows.length === 0) {
        deps.out(
          `No workspace yet. Create one: ${self} workspace create --name "Acme" --origin https://app.acme.com`,
        );
        return;
      }
      deps.out(
        table([
          ['ID', 'NAME', 'PUBLISHABLE KEY', 'CREATED'],
          ...rows.map((w) => [w.id, w.name, w.publishableKey ?? '(none live)', iso(w.createdAt)]),
        ]),
      );
    },
  },
  'keys list': {
    options: { workspace: { type: 'string' } },
    required: ['workspace'],
    plan: (values) => async (db, deps) => {
      const workspaceId = await existing(db, values.workspace);
      const keys = await listKeys(db, workspaceId, deps.now());
      deps.out(
        table([
          ['ID', 'KIND', 'KEY', 'CREATED', 'STATE'],
          ...keys.map((k) => [k.id, k.kind, k.key ?? k.hint, k.createdAt, keyState(k)]),
        ]),
      );
    },
  },
  'keys rotate': {
    options: { workspace: { type: 'string' }, kind: { type: 'string' }, 'overlap-hours': { type: 'string' } },
    required: ['workspace', 'kind'],
    plan(values) {
      const overlap = values['overlap-hours'];
      const hours = typeof overlap === 'string' ? Number(overlap) : undefined;
      if (typeof overlap === 'string' && (overlap.trim() === '' || !Number.isFinite(hours))) {
        throw new UsageError('--overlap-hours: must be a number of hours, such as 24');
      }
      const input = validate(
        keyRotation,
        { kind: values.kind, ...(hours === undefined ? {} : { overlapHours: hours }) },
        { kind: '--kind', overlapHours: '--overlap-hours' },
      );
      return async (db, deps) => {
        const workspaceId = await existing(db, values.workspace);
        const rotated = await rotateKey(db, workspaceId, input, deps.now());
        const lines = [
          `New ${rotated.kind} key for ${workspaceId} (${rotated.id}):`,
          `  ${rotated.key}`,
          ...(rotated.kind === 'secret' ? ['It is shown this once: keep it in your secrets store now.'] : []),
          ...rotated.previous.map((k) =>
            k.live
              ? `The previous key ${k.id} (${k.hint}) keeps working until ${k.expiresAt}: switch to the new one before then.`
              : `The previous key ${k.id} (${k.hint}) has ended.`,
          ),
          'A running server sees the change within 5 seconds.',
        ];
        if (rotated.kind === 'publishable') lines.push('', ...snippetLines(deps.serverUrl, rotated.key));
        deps.out(lines.join('\n'));
      };
    },
  },
  'keys revoke': {
    options: { workspace: { type: 'string' }, key: { type: 'string' } },
    required: ['workspace', 'key'],
    plan: (values) => async (db, deps) => {
      const workspaceId = await existing(db, values.workspace);
      const revoked = await revokeKey(db, workspaceId, String(values.key), deps.now());
      deps.out(
        `Revoked ${revoked.id} (${revoked.hint}) of ${workspaceId}. A running server refuses it within 5 seconds.`,
      );
    },
  },
};

/**
 * Runs one command line (without `node` and the script: `['keys', 'list', '--workspace', 'acme']`)
 * and answers its exit code: 0 done, 1 the command failed (unknown workspace, last key), 2 bad
 * arguments. Messages go to `deps.out` and `deps.err`; nothing here exits the process.
 *
 * @example
 * const code = await runCli(['workspace', 'create', '--name', 'Acme'], { openDb, out: console.log, err: console.error, now: Date.now, serverUrl })
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    (first === undefined ? deps.err : deps.out)(usage);
    return first === undefined ? 2 : 0;
  }
  try {
    // A command is one word (`create-owner`) or two (`keys list`).
    const words = commands[first] ? 1 : 2;
    const name = words === 1 ? first : `${first} ${second ?? ''}`.trim();
    const command = commands[name];
    if (!command) throw new UsageError(`unknown command "${name}"`);
    const work = command.plan(parseOptions(command, argv.slice(words)));
    await work(await deps.openDb(), deps);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      deps.err(`error: ${error.message}\nRun "${self} help" for the commands and their options.`);
      return 2;
    }
    if (error instanceof CommandError) {
      deps.err(`error: ${error.message}`);
      return 1;
    }
    if (error instanceof ApiError) {
      deps.err(`error: ${error.detail ?? error.title}`);
      return 1;
    }
    throw error;
  }
}

function parseOptions(command: Command, args: string[]): Values {
  let values: Values;
  try {
    ({ values } = parseArgs({ args, options: command.options, strict: true, allowPositionals: false }));
  } catch (error) {
    // Node's messages go on to explain how to pass values starting with a dash; the first sentence
    // is the point.
    throw new UsageError((error as Error).message.split(/\.\s/)[0] ?? String(error));
  }
  const missing = command.required.filter((option) => values[option] === undefined);
  if (missing.length > 0) throw new UsageError(missing.map((option) => `--${option} is required`).join('; '));
  return values;
}

/** Parses with the API's own schema, naming the command line's options in the messages. */
function validate<T>(schema: z.ZodType<T>, input: unknown, flags: Record<string, string>): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new UsageError(
    result.error.issues
      .map((issue) => {
        const [field, index] = issue.path;
        const flag = flags[String(field)] ?? String(field);
        const list = (input as Record<string, unknown>)[String(field)];
        const value = typeof index === 'number' && Array.isArray(list) ? ` "${list[index]}"` : '';
        return `${flag}${value}: ${issue.message}`;
      })
      .join('; '),
  );
}

async function workspaceExists(db: Database, id: string): Promise<boolean> {
  const [found] = await db.read
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(eq(workspaces.id, id))
    .limit(1);
  return found !== undefined;
}

async function existing(db: Database, id: Values[string]): Promise<string> {
  if (typeof id !== 'string' || !(await workspaceExists(db, id)))
    throw new CommandError(`no workspace has the id "${String(id)}" (${self} workspace list shows them)`);
  return id;
}

function snippetLines(serverUrl: string, publishableKey: string): string[] {
  return [
    `Install the widget: paste this into your pages' <head> (the server's address is ${serverUrl};`,
    'set PUBLIC_URL where your users reach it at another one):',
    '',
    installSnippet(serverUrl, publishableKey),
  ];
}

function keyState(key: { live: boolean; expiresAt: string | null; revokedAt: string | null }): string {
  if (key.revokedAt) return `revoked ${key.revokedAt}`;
  if (!key.live) return `expired ${key.expiresAt}`;
  return key.expiresAt ? `live until ${key.expiresAt}` : 'live';
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const iso = (at: number) => new Date(at).toISOString();

/** The process around runCli: the server's configuration, stdout and stderr, the exit code. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
    return;
  }
  let db: Database | undefined;
  try {
    process.exitCode = await runCli(process.argv.slice(2), {
      openDb: async () => {
        db = await openDatabase({
          url: config.DATABASE_URL,
          authToken: config.DATABASE_AUTH_TOKEN,
          busyTimeoutMs: config.DATABASE_BUSY_TIMEOUT_MS,
          logger: createLogger('error'),
        });
        return db;
      },
      out: (text) => console.log(text),
      err: (text) => console.error(text),
      now: Date.now,
      serverUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    });
  } catch (error) {
    console.error('error:', error);
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}

if (isEntryPoint(import.meta.url)) await main();
