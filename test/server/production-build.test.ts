import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, root, stop, waitForHttp } from './processes.ts';

// The server as a production install runs it: dist/server/main.js under plain `node`, built by
// `npm run build` (npm test builds first), with only package.json `dependencies` installed.
const serverDir = join(root, 'dist', 'server');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Every module specifier the file imports statically, re-exports from, or imports dynamically with a literal. */
function specifiers(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.add(match[1]!);
  return [...found];
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

describe('the built server', () => {
  beforeAll(() => {
    if (!existsSync(join(serverDir, 'main.js')))
      throw new Error('dist/server/main.js is missing: run `npm run build` first (npm test does).');
  });

  it('imports nothing but Node builtins and package.json dependencies', () => {
    const files = readdirSync(serverDir).filter((name) => name.endsWith('.js'));
    expect(files).toContain('main.js');
    const imported = new Set<string>();
    for (const file of files) {
      for (const specifier of specifiers(readFileSync(join(serverDir, file), 'utf8'))) {
        // Chunks of the bundle import each other by relative path.
        if (specifier.startsWith('./')) expect(existsSync(join(serverDir, specifier)), specifier).toBe(true);
        else imported.add(specifier);
      }
    }
    const outside = [...imported].filter(
      (specifier) => !isBuiltin(specifier) && !(packageOf(specifier) in pkg.dependencies),
    );
    expect(outside).toEqual([]);
    // The scan reads what it should: the server's own packages are there, and none of the dev tools.
    expect(imported).toContain('hono');
    expect(imported).toContain('@libsql/client');
    expect(imported).toContain('drizzle-orm/libsql/migrator');
    for (const tool of ['tsx', 'vite', 'drizzle-kit'])
      expect([...imported].map(packageOf)).not.toContain(tool);
  });

  describe('run by plain node', () => {
    let dir: string;
    let url: string;
    let child: ReturnType<typeof spawn>;
    let output = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'waymark-built-'));
      const port = await freePort();
      // Started from another directory: it finds its migrations and dist/ from its own location.
      child = spawn(process.execPath, [join(serverDir, 'main.js')], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: `file:${join(dir, 'waymark.db')}`,
          NODE_ENV: 'production',
          // In production the demo is opt-in: asked for here, to check the demo page's key.
          SEED_DEMO: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk) => (output += chunk));
      child.stderr?.on('data', (chunk) => (output += chunk));
      url = `http://127.0.0.1:${port}`;
      await waitForHttp(`${url}/health`).catch((error) => {
        throw new Error(`the built server did not start:\n${output}`, { cause: error });
      });
    });
    afterAll(async () => {
      if (child) await stop(child);
      rmSync(dir, { recursive: true, force: true });
    });

    it('migrates a new database and answers /health', async () => {
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', busyReplacements: 0 });
      expect(output).toContain(`listening on http://localhost:${new URL(url).port}`);
    });

    it('seeds a large history with the built seed:large command (dist/server/seed-large.js)', async () => {
      const seeded = spawn(
        process.execPath,
        [
          join(serverDir, 'seed-large.js'),
          ...['--db', `file:${join(dir, 'large.db')}`, '--accounts', '5', '--users', '20', '--events', '500'],
        ],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, NODE_ENV: 'production' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let printed = '';
      seeded.stdout?.on('data', (chunk) => (printed += chunk));
      seeded.stderr?.on('data', (chunk) => (printed += chunk));
      const code = await new Promise((resolve) => seeded.on('exit', resolve));
      expect(printed).toMatch(/Stored [\d,]+ events \(0 duplicates\)/);
      expect(printed).toMatch(/secret key: +sk_\w+/);
      expect(code).toBe(0);
    });

    it('serves the built widget and the demo from dist/', async () => {
      const widget = await fetch(`${url}/widget.js`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(widget.status).toBe(200);
      expect(widget.headers.get('content-encoding')).toBe('br');
      expect(await widget.text()).toBe(readFileSync(join(root, 'dist', 'widget', 'widget.js'), 'utf8'));
      const demo = await fetch(`${url}/demo/`);
      expect(demo.status).toBe(200);
      expect(await demo.text()).toMatch(/data-key="pk_\w+"/);
    });

    it('serves the built console at /app, its scripts compressed and cached for good', async () => {
      const page = await fetch(`${url}/app/accounts/anything`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toBe(readFileSync(join(root, 'dist', 'console', 'index.html'), 'utf8'));
      const [script] = [...html.matchAll(/src="(\/app\/assets\/[\w.-]+\.js)"/g)].map((m) => m[1] ?? '');
      expect(script).toBeDefined();
      const res = await fetch(`${url}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe('br');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    });

    it('serves the API reference at /docs from its own files, with no CDN', async () => {
      const page = await fetch(`${url}/docs`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(sources).toEqual(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js']);
      expect(html).toContain("url: '/openapi.json'");
      for (const source of sources) {
        const res = await fetch(`${url}${source}`, { headers: { 'accept-encoding': 'br, gzip' } });
        expect(res.status, source).toBe(200);
        expect(res.headers.get('content-encoding'), source).toBe('br');
        expect((await res.text()).length, source).toBeGreaterThan(100_000);
      }
      const spec = await fetch(`${url}/openapi.json`);
      expect(spec.status).toBe(200);
      expect(((await spec.json()) as { components: { schemas: object } }).components.schemas).toHaveProperty(
        'Message',
      );
    });
  });
});
