/// <reference types="vitest/config" />
import preact from '@preact/preset-vite';
import { build, defineConfig, type Plugin, type UserConfig } from 'vite';

/**
 * Two builds from one config:
 * - `vite build` (default mode): the embeddable widget in dist/widget/: the core, a classic script
 *   (`widget.js`), and the UI of checklists, surveys and spotlights, an ES module chunk (`view-<hash>.js`) that
 *   the core imports only when there is something to show (see viewChunk below).
 * - `vite build --mode demo`: the fake host product, a Preact single-page app at dist/demo/.
 * `vitest` reads the `test` block: node for server and shared code, happy-dom for the widget,
 * real Chromium (through playwright-core) for the browser tests.
 */
/**
 * Builds the UI chunk (Preact, the checklist, survey and spotlight views) first, as one ES module, and hands
 * its content-hashed file name to the core as `__WAYMARK_VIEW_CHUNK__`. The server caches chunks for
 * good, hence the hash; the core cannot be a module (a host's plain `<script async>` loads it) and an
 * IIFE cannot split, hence two builds. The chunk is written by the core's build, as an asset of it,
 * so `emptyOutDir` clears stale chunks and never the fresh one.
 */
function viewChunk(): Plugin {
  let files: Array<{ fileName: string; source: string }> = [];
  return {
    name: 'waymark-view-chunk',
    apply: 'build',
    async config() {
      const output = await build({
        configFile: false,
        logLevel: 'warn',
        publicDir: false,
        plugins: [preact()],
        build: {
          write: false,
          target: 'es2020',
          // Terser compresses this chunk 0.14 KB smaller than Vite's default minifier (the core, not).
          minify: 'terser',
          terserOptions: { ecma: 2020, module: true, compress: { passes: 3 } },
          sourcemap: true,
          // Not lib mode: that leaves an ES build's whitespace in (for tree-shaking by a later bundler).
          rolldownOptions: {
            input: 'widget/view/main.ts',
            // An app build drops an entry's exports; the core calls this one's `mount`.
            preserveEntrySignatures: 'strict',
            output: { format: 'es', entryFileNames: 'view-[hash].js' },
          },
        },
      });
      const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) =>
        'output' in o ? o.output : [],
      );
      files = chunks.map((file) =>
        file.type === 'chunk'
          ? { fileName: file.fileName, source: file.code }
          : { fileName: file.fileName, source: String(file.source) },
      );
      const entry = chunks.find((file) => file.type === 'chunk' && file.isEntry);
      // One file: a second chunk would be a second download and a second gzip stream (README, "Size").
      if (!entry || chunks.filter((file) => file.type === 'chunk').length !== 1) {
        throw new Error('the UI chunk must build to one JavaScript file');
      }
      return { define: { __WAYMARK_VIEW_CHUNK__: JSON.stringify(entry.fileName) } };
    },
    generateBundle() {
      for (const file of files) this.emitFile({ type: 'asset', ...file });
    },
  };
}

const widget: UserConfig = {
  publicDir: false,
  plugins: [viewChunk()],
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
  plugins: [preact()],
  build: { outDir: '../dist/demo', emptyOutDir: true, target: 'es2020' },
};

export default defineConfig(({ mode }) => ({
  ...(mode === 'demo' ? demo : widget),
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
