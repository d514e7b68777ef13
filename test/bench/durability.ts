import { createClient } from '@libsql/client';

const levels = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/**
 * The durability the server runs with on the database file at `url`: `PRAGMA synchronous` and the
 * journal mode of a connection opened as openDatabase opens its own (server/db/client.ts sets
 * neither pragma but WAL, so this is libSQL's default), in one line for the benchmarks' output.
 *
 * @example
 * await durability('file:/tmp/x.db') // 'synchronous=FULL (2), journal_mode=wal: ...'
 */
export async function durability(url: string): Promise<string> {
  const client = createClient({ url });
  try {
    const synchronous = Number((await client.execute('PRAGMA synchronous')).rows[0]?.[0]);
    const journal = String((await client.execute('PRAGMA journal_mode')).rows[0]?.[0]);
    const why =
      synchronous >= 2
        ? 'each commit fsyncs the WAL before the requests in it are answered, so an acknowledged event ' +
          'survives a power cut, not only a crash of the process (NORMAL could lose the last commits)'
        : 'commits are not fsynced: acknowledged events may be lost on a power cut';
    return `synchronous=${levels[synchronous] ?? synchronous} (${synchronous}), journal_mode=${journal}: ${why}`;
  } finally {
    client.close();
  }
}
