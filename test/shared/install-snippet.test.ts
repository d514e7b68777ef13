import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installSnippet, snippet } from '../../shared/install-snippet.ts';
import { root } from '../server/processes.ts';

describe('the install snippet', () => {
  it('is the two-part snippet the README tells customers to paste', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(installSnippet('https://waymark.example.com', 'pk_...'));
  });

  it('has the CSP hash the README gives, and names every public method (theme included)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const code = snippet.replace(/^<script>|<\/script>$/g, '');
    expect(readme).toContain(`'sha256-${createHash('sha256').update(code).digest('base64')}'`);
    const methods = code.match(/"([a-z ]+)"\.split/)?.[1]?.split(' ');
    expect(methods?.sort()).toEqual(
      ['debug', 'group', 'identify', 'on', 'open', 'page', 'reset', 'theme', 'track'].sort(),
    );
  });

  it('keeps a path prefix and never lets the address end the attribute', () => {
    const last = (serverUrl: string) => installSnippet(serverUrl, 'pk_abc').split('\n').at(-1);
    expect(last('https://acme.com/waymark/')).toBe(
      '<script async src="https://acme.com/waymark/widget.js" data-key="pk_abc"></script>',
    );
    expect(last('https://acme.com/waymark')).toBe(
      '<script async src="https://acme.com/waymark/widget.js" data-key="pk_abc"></script>',
    );
    expect(last('https://acme.com/a"b')).toBe(
      '<script async src="https://acme.com/a%22b/widget.js" data-key="pk_abc"></script>',
    );
  });
});
