import { render } from 'preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRichText, plainText, type RichText, safeHref } from '../../shared/rich-text.ts';
import { Rich } from '../../widget/view/rich.tsx';

let scratch: HTMLDivElement;
beforeEach(() => {
  scratch = document.createElement('div');
  document.body.append(scratch);
});
afterEach(() => {
  render(null, scratch);
  scratch.remove();
});

/** Authored text as the widget draws it: parsed by the server (shared/rich-text.ts), drawn by Rich. */
function html(text: string): string {
  render(<Rich text={parseRichText(text)} />, scratch);
  return scratch.innerHTML;
}

describe('the markdown subset', () => {
  it('is parsed into text nodes and elements', () => {
    expect(parseRichText('Send your **first** [invoice](/invoices), `now`')).toEqual([
      'Send your ',
      ['strong', 'first'],
      ' ',
      ['a', '/invoices', 'invoice'],
      ', ',
      ['code', 'now'],
    ]);
    expect(parseRichText('')).toEqual([]);
  });

  it.each([
    ['plain text', 'plain text'],
    ['a **bold** word', 'a <strong>bold</strong> word'],
    ['an *italic* word', 'an <em>italic</em> word'],
    ['run `npm start`', 'run <code>npm start</code>'],
    ['**bold with *italic* inside**', '<strong>bold with <em>italic</em> inside</strong>'],
    ['`**not bold** in code`', '<code>**not bold** in code</code>'],
    ['2 * 3 * 4 stays maths', '2 * 3 * 4 stays maths'],
    ['**unclosed bold', '**unclosed bold'],
    [
      '[docs](https://docs.example.com/a?b=1)',
      '<a href="https://docs.example.com/a?b=1" rel="noopener noreferrer" target="_blank">docs</a>',
    ],
    ['[settings](/settings/billing)', '<a href="/settings/billing" rel="noopener noreferrer">settings</a>'],
    [
      '[up](../x) [here](#top)',
      '<a href="../x" rel="noopener noreferrer">up</a> <a href="#top" rel="noopener noreferrer">here</a>',
    ],
    ['[**bold** link](/a)', '<a href="/a" rel="noopener noreferrer"><strong>bold</strong> link</a>'],
  ])('%s', (text, expected) => {
    expect(html(text)).toBe(expected);
  });
});

describe('untrusted text cannot run script', () => {
  it.each([
    '<img src=x onerror=alert(1)>',
    '<script>alert(1)</script>',
    '<a href="javascript:alert(1)">x</a>',
    '**<svg onload=alert(1)>**',
    '`<iframe src=javascript:alert(1)>`',
  ])('HTML stays text: %s', (text) => {
    html(text);
    expect(scratch.querySelector('img, script, svg, iframe, a')).toBeNull();
    expect(scratch.textContent).toBe(text.replace(/\*\*|`/g, ''));
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example.com/x',
    '/\\evil.example.com',
    'http://insecure.example.com',
    'https:/\\evil.example.com',
    'mailto:a@b.c',
  ])('a link to %s is text, not a link', (url) => {
    expect(safeHref(url)).toBeNull();
    html(`[click me](${url})`);
    expect(scratch.querySelector('a')).toBeNull();
  });

  it('draws an element outside the subset (a tampered cached copy) as its text only', () => {
    render(
      <Rich text={[['script', 'alert(1)'] as unknown as RichText[number], ' and ', ['em', 'more']]} />,
      scratch,
    );
    expect(scratch.innerHTML).toBe('alert(1) and <em>more</em>');
  });

  it('keeps allowed URLs as written', () => {
    expect(safeHref('https://example.com/a')).toBe('https://example.com/a');
    expect(safeHref('/a/b?c#d')).toBe('/a/b?c#d');
    expect(safeHref('./a')).toBe('./a');
    expect(safeHref('?tab=2')).toBe('?tab=2');
  });
});

describe('plainText', () => {
  it('drops the markup, keeping the words a screen reader should say', () => {
    expect(plainText(parseRichText('Send your **first** [invoice](/invoices) with `Send`, *today*'))).toBe(
      'Send your first invoice with Send, today',
    );
  });
});
