import { join } from 'node:path';
import { build, createLogger, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';
import { root } from '../server/processes.ts';

// `npm start` builds the demo: what that build says should be worth reading, so it says nothing
// it should not (a warning about the widget's tag, which is the Waymark server's, not the demo's).
describe('the demo build', () => {
  it('warns of nothing, and leaves the widget tag for the server to fill in', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = (message) => warnings.push(message);
    logger.warnOnce = (message) => warnings.push(message);
    const output = (await build({
      configFile: join(root, 'vite.config.ts'),
      mode: 'demo',
      customLogger: logger,
      logLevel: 'warn',
      build: { write: false },
    })) as Rolldown.RolldownOutput;
    expect(warnings).toEqual([]);
    const html = output.output.find((file) => file.fileName === 'index.html');
    expect(html?.type === 'asset' && String(html.source)).toMatch(
      /<script async src="\/widget\.js" data-key="%WAYMARK_PUBLISHABLE_KEY%"\s*><\/script>/,
    );
  });
});
