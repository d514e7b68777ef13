import { realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `true` in the server's bundle (vite.config.ts, server build); absent when tsx runs the source. */
declare const __WAYMARK_SERVER_BUNDLE__: boolean | undefined;

// The same code runs from two places: from source, this module is server/paths.ts; bundled, its code
// sits in dist/server/<entry>.js or a chunk beside it (the server build writes no subfolders), with
// the migrations copied to dist/server/migrations. `import.meta.url` is the running file's URL.
const bundled = typeof __WAYMARK_SERVER_BUNDLE__ === 'boolean';

/**
 * The built widget and demo (dist/ at the repository root, beside the bundled server).
 *
 * @example
 * createApp({ db, distDir }) // the default: static routes serve distDir/widget and distDir/demo
 */
export const distDir = fileURLToPath(new URL(bundled ? '../' : '../dist/', import.meta.url));

/**
 * The committed SQL migrations that `openDatabase` applies.
 *
 * @example
 * await migrate(drizzle(client), { migrationsFolder })
 */
export const migrationsFolder = fileURLToPath(
  new URL(bundled ? './migrations/' : './db/migrations/', import.meta.url),
);

/**
 * Whether the module at `moduleUrl` is the program being run (`node dist/server/cli.js`,
 * `tsx server/cli.ts`), not an import.
 *
 * @example
 * if (isEntryPoint(import.meta.url)) await main();
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}
