/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import preact from '@preact/preset-vite';
import { build, defineConfig, type Plugin, type UserConfig } from 'vite';

/**
 * Four builds from one config (`npm run build` runs them in turn):
 * - `vite build` (default mode): the embeddable widget in dist/widget/: the core, a classic script
 *   (`widget.js`), and the UI of checklists, surveys and spotlights, an ES module chunk (`view-<hash>.js`) that
 *   the core imports only when there is something to show, and the element picker's chunk
 *   (`picker-<hash>.js`), only for a preview link the console opened to pick (see widgetChunks below).
 * - `vite build --mode demo`: the fake host product, a Preact single-page app at dist/demo/.
 * - `vite build --mode console`: the console, the CS team's Preact single-page app, at dist/console/,
 *   served at /app (see consoleApp below).
 * - `vite build --mode server`: the server as plain JavaScript in dist/server/, run by `node` with
 *   production dependencies only (see server below).
 * `vitest` reads the `test` block: node for server and shared code, happy-dom for the widget,
 * real Chromium (through playwright-core) for the browser tests.
 */

/**
 * The server's entry points, each built to dist/server/<name>.js: the one list to extend when the
 * server gains a command (`cli: 'server/cli.ts'` builds dist/server/cli.js).
 */
const serverEntries: Record<string, string> = {
  main: 'server/main.ts',
  cli: 'server/cli.ts',
  'seed-large': 'server/seed-large.ts',
};

/** What a production install (`npm ci --omit=dev`) has: Node's builtins and package.json `dependencies`. */
const runtimePackages = Object.keys(
  (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> })
    .dependencies ?? {},
);
const isRuntimeImport = (id: string) =>
  isBuiltin(id) || runtimePackages.some((name) => id === name || id.startsWith(`${name}/`));

/**
 * Builds the widget's chunks first, each as one ES module, and hands their content-hashed file names
 * to the core as `__WAYMARK_VIEW_CHUNK__` and `__WAYMARK_PICKER_CHUNK__`: the UI chunk (Preact, the
 * checklist, survey and spotlight views) and the element picker's (README, "Element picker"), which
 * only a preview link opened by the console loads. The server caches chunks for good, hence the hash;
 * the core cannot be a module (a host's plain `<script async>` loads it) and an IIFE cannot split,
 * hence separate builds. The chunks are written by the core's build, as assets of it, so
 * `emptyOutDir` clears stale chunks and never the fresh ones.
 */
function widgetChunks(): Plugin {
  const chunks = [
    { input: 'widget/view/main.ts', name: 'view', define: '__WAYMARK_VIEW_CHUNK__', jsx: true },
    // Plain DOM, no JSX: the injected Preact import would bundle Preact into it.
    { input: 'widget/picker/main.ts', name: 'picker', define: '__WAYMARK_PICKER_CHUNK__', jsx: false },
  ];
  let files: Array<{ fileName: string; source: string }> = [];
  return {
    name: 'waymark-widget-chunks',
    apply: 'build',
    async config() {
      const define: Record<string, string> = {};
      files = [];
      for (const chunk of chunks) {
        const built = await buildChunk(chunk.input, chunk.name, chunk.jsx);
        files.push(...built.files);
        define[chunk.define] = JSON.stringify(built.entry);
      }
      return { define };
    },
    generateBundle() {
      for (const file of files) this.emitFile({ type: 'asset', ...file });
    },
  };
}

/** One widget chunk, `<name>-<hash>.js` and its source map, built in memory. */
async function buildChunk(input: string, name: string, jsx: boolean) {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    // Classic JSX, h() calls from one import the build adds to each .tsx file: 0.2 KB less than
    // the automatic runtime's jsx() calls, and the views' sources stay plain JSX (no pragma, no
    // import kept only for the transform). Preact's preset would switch to the automatic one;
    // in a production build it does nothing else.
    oxc: jsx
      ? {
          jsx: { runtime: 'classic', pragma: '_h', pragmaFrag: '_F' },
          jsxInject: "import { h as _h, Fragment as _F } from 'preact'",
        }
      : {},
    build: {
      write: false,
      target: 'es2020',
      // Terser compresses the UI chunk 0.14 KB smaller than Vite's default minifier (the core, not).
      minify: 'terser',
      terserOptions: {
        ecma: 2020,
        module: true,
        compress: { passes: 3 },
        // Properties named `_x` are a module's private state (a spotlight run's fields): Terser
        // shortens them, as Preact's build does its own (mangle.json), so the source keeps
        // readable names. Never for what is stored or sent (JSON keys keep their names), nor
        // Preact's (`__k`, `__html`): a single `_` and a lowercase letter.
        mangle: { properties: { regex: /^_[a-z]/ } },
      },
      sourcemap: true,
      // Not lib mode: that leaves an ES build's whitespace in (for tree-shaking by a later bundler).
      rolldownOptions: {
        input,
        // An app build drops an entry's exports; the core calls this one's `mount` (or `pick`).
        preserveEntrySignatures: 'strict',
        output: { format: 'es', entryFileNames: `${name}-[hash].js` },
      },
    },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
  const files = chunks.map((file) =>
    file.type === 'chunk'
      ? { fileName: file.fileName, source: file.code }
      : { fileName: file.fileName, source: String(file.source) },
  );
  const entry = chunks.find((file) => file.type === 'chunk' && file.isEntry);
  // One file: a second chunk would be a second download and a second gzip stream (README, "Size").
  if (!entry || chunks.filter((file) => file.type === 'chunk').length !== 1) {
    throw new Error(`the ${name} chunk must build to one JavaScript file`);
  }
  return { entry: entry.fileName, files };
}

/**
 * Writes a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) copy beside each file the build
 * wrote, for the server to send as is to a browser that accepts it (server/routes/static.ts): the
 * best compression costs nothing per request. A copy that is not smaller than its file is not written.
 * Left out: HTML (the server fills the demo's page in per request) and source maps (only developer
 * tools fetch them, and brotli's best on them would add 1.4 s to every build; the server gzips them
 * as it sends them, as it does all JSON).
 */
function precompress(): Plugin {
  return {
    name: 'waymark-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? '';
      const names = Object.keys(bundle).filter((name) => /\.(js|css|json|svg)$/.test(name));
      await Promise.all(
        names.map(async (name) => {
          // The file as written: a chunk's code in the bundle lacks its sourceMappingURL comment.
          const body = await readFile(join(dir, name));
          await Promise.all(
            (await compressedCopies(body)).map(({ ext, copy }) =>
              writeFile(join(dir, `${name}${ext}`), copy),
            ),
          );
        }),
      );
    },
  };
}

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** The brotli (quality 11) and gzip (level 9) copies of a file that are smaller than it, with their extensions. */
async function compressedCopies(body: Buffer): Promise<Array<{ ext: '.br' | '.gz'; copy: Buffer }>> {
  const [br, gzipped] = await Promise.all([
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gz(body, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  return [
    { ext: '.br' as const, copy: br },
    { ext: '.gz' as const, copy: gzipped },
  ].filter(({ copy }) => copy.length < body.length);
}

/**
 * Copies Swagger UI's script and style (the `swagger-ui-dist` package) to dist/server/docs/, with
 * their compressed copies, for the API reference page at `/docs` (server/routes/static.ts): served
 * by this server, so the page works on a machine that cannot reach a CDN.
 */
function apiDocsAssets(): Plugin {
  const from = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return {
    name: 'waymark-api-docs-assets',
    apply: 'build',
    async generateBundle() {
      for (const name of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
        const source = await readFile(join(from, name));
        this.emitFile({ type: 'asset', fileName: `docs/${name}`, source });
        for (const { ext, copy } of await compressedCopies(source))
          this.emitFile({ type: 'asset', fileName: `docs/${name}${ext}`, source: copy });
      }
    },
  };
}

/**
 * Fails the server's build on a bare import that a production install would not have: one from
 * devDependencies (vite, tsx...) or from nowhere. Dependencies themselves are left external (see
 * `server` below), so only the server's own imports get here.
 */
function runtimeDependenciesOnly(): Plugin {
  return {
    name: 'waymark-runtime-dependencies-only',
    enforce: 'pre',
    resolveId(source, importer) {
      // Entries (no importer), relative and absolute paths, virtual modules: not packages.
      if (!importer || /^[./\0]/.test(source) || isRuntimeImport(source)) return null;
      this.error(
        `${relative('.', importer)} imports "${source}", which is not in package.json "dependencies": ` +
          'the built server runs with production dependencies only (npm ci --omit=dev).',
      );
    },
  };
}

/** Copies the SQL migrations to dist/server/migrations, where the bundled `openDatabase` reads them (server/paths.ts). */
function migrations(): Plugin {
  const from = 'server/db/migrations';
  return {
    name: 'waymark-migrations',
    apply: 'build',
    async generateBundle() {
      for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const path = join(entry.parentPath, entry.name);
        this.emitFile({
          type: 'asset',
          fileName: join('migrations', relative(from, path)),
          source: await readFile(path),
        });
      }
    },
  };
}

const widget: UserConfig = {
  publicDir: false,
  plugins: [widgetChunks(), precompress()],
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: true,
    lib: {
      entry: 'widget/main.ts',
      formats: ['iife'],
      name: 'waymarkWidget',
      fileName: () => 'widget.js',
    },
  },
};

const demo: UserConfig = {
  root: 'demo',
  base: '/demo/',
  publicDir: false,
  plugins: [preact(), precompress()],
  build: { outDir: '../dist/demo', emptyOutDir: true, target: 'es2020' },
};

/**
 * The console (server/console/): one entry for the shell, one chunk per view (`lazy()` in its
 * router), and the widget preview's frame script (see `worker`), served at /app by the server (server/routes/static.ts). The manifest tells the size check
 * (test/size-budget.ts) which files the first view loads.
 */
const consoleApp: UserConfig = {
  root: 'server/console',
  base: '/app/',
  publicDir: false,
  plugins: [preact(), precompress()],
  build: { outDir: '../../dist/console', emptyOutDir: true, target: 'es2020', manifest: true },
  // The widget preview's frame script (`?worker&url` in server/console/components/WidgetPreview.tsx):
  // bundled on its own as an ES module, with the widget's UI in it, which the console's views then
  // never carry; Preact's preset compiles the widget's JSX there too.
  worker: { format: 'es', plugins: () => [preact()] },
};

/**
 * The server (and later its commands, see serverEntries) bundled to ES modules that plain `node` runs:
 * our TypeScript, shared/ included, in; every package left external, for `npm ci --omit=dev` to
 * provide. Entries and their shared chunks sit side by side in dist/server (no subfolder), which
 * server/paths.ts relies on to find dist/ and the migrations. Not minified: stack traces stay readable.
 */
const server: UserConfig = {
  publicDir: false,
  define: { __WAYMARK_SERVER_BUNDLE__: 'true' },
  plugins: [runtimeDependenciesOnly(), migrations(), apiDocsAssets()],
  build: {
    ssr: true,
    outDir: 'dist/server',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rolldownOptions: {
      input: serverEntries,
      external: isRuntimeImport,
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
};

const builds: Record<string, UserConfig> = { demo, console: consoleApp, server };

export default defineConfig(({ mode }) => ({
  ...(builds[mode] ?? widget),
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/widget/**', 'test/browser/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [preact()],
        // Classic JSX in development mode passes `__source` and `__self` to h() as props, which
        // Preact would render as attributes: the widget's tests run its production transform.
        oxc: { jsx: { development: false } },
        test: {
          name: 'widget',
          environment: 'happy-dom',
          include: ['test/widget/**/*.test.{ts,tsx}'],
          css: true,
        },
      },
      {
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
}));
