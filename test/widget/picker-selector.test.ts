import { afterEach, describe, expect, it } from 'vitest';
import {
  isHandWrittenId,
  isStableClass,
  matchesOf,
  proposeSelector,
  suggestText,
} from '../../widget/picker/selector.ts';
import { findTarget } from '../../widget/spotlight/target.ts';

/** The element picker's selector proposer (widget/picker/selector.ts), in happy-dom. */
afterEach(() => {
  document.body.innerHTML = '';
});

const byId = (id: string) => document.getElementById(id)!;

/** What a spotlight with the proposal as its anchor points at. */
const pointedAt = ({ selector, text }: { selector: string; text?: string }) =>
  findTarget({ selector, text, pierceShadow: false }, document, undefined, true);

describe('proposing a selector for a picked element', () => {
  it('prefers a test or tour attribute over an id, a label and classes', () => {
    document.body.innerHTML = `
      <button id="export" class="btn export-btn" aria-label="Export" data-tour="export-csv">Export</button>
      <button id="import" class="btn" data-testid="import-button" data-tour="import">Import</button>`;
    expect(proposeSelector(byId('export'))).toEqual({ selector: '[data-tour="export-csv"]', matches: 1 });
    // data-testid comes before data-tour.
    expect(proposeSelector(byId('import'))).toEqual({
      selector: '[data-testid="import-button"]',
      matches: 1,
    });
  });

  it('takes another data attribute with a plain value, but not the state frameworks set', () => {
    document.body.innerHTML = `
      <div data-state="open" data-v-1a2b3c="" data-section="billing"><span>Billing</span></div>
      <div data-state="open" data-section="plans"><span>Plans</span></div>`;
    const billing = document.querySelector('[data-section="billing"]')!;
    expect(proposeSelector(billing)).toEqual({ selector: 'div[data-section="billing"]', matches: 1 });
  });

  it('uses an id a person wrote, and passes over generated ones', () => {
    document.body.innerHTML = `
      <nav><a id="settings-link" href="/settings?tab=2" class="css-1x2y3z">Settings</a></nav>
      <ul><li><button id=":r3:" class="sc-bdVaJa kGdQwP">Save</button></li><li><button id="radix-12">Save</button></li></ul>`;
    expect(proposeSelector(byId('settings-link'))).toEqual({ selector: '#settings-link', matches: 1 });
    const generated = proposeSelector(byId(':r3:'));
    expect(generated.selector).not.toContain('r3');
    expect(generated.selector).not.toMatch(/sc-bdVaJa|kGdQwP/);
    expect(pointedAt(generated)).toBe(byId(':r3:'));
  });

  it('never proposes CSS-module hashes, emotion or styled-components classes, or Tailwind utilities', () => {
    document.body.innerHTML = `
      <main>
        <section class="flex p-4 md:grid w-[320px] Card_root__3xYz1">
          <button class="_button_1x2y3_1 css-1x2y3z sc-AxjAm text-sm bg-blue-500 px-3 py-2 rounded-lg">Pay</button>
          <button class="_button_1x2y3_1 css-1x2y3z sc-AxjAm text-sm bg-blue-500 px-3 py-2 rounded-lg">Refund</button>
        </section>
      </main>`;
    const [, refund] = document.querySelectorAll('button');
    const proposal = proposeSelector(refund!);
    expect(proposal.selector).not.toMatch(
      /_button_|css-|sc-|text-sm|bg-blue|px-3|rounded|Card_root|\[320px]/,
    );
    // Two identical buttons: only their text tells them apart, and the proposal says so.
    expect(proposal).toEqual({ selector: 'button', text: 'Refund', matches: 1 });
    expect(pointedAt(proposal)).toBe(refund);
  });

  it('keeps class names a person chose, once the generated ones are left out', () => {
    document.body.innerHTML = `
      <div class="toolbar css-9zq8w1"><button class="primary-action Button_x__a1b2c">Go</button></div>
      <div class="sidebar"><button>Go</button></div>`;
    const go = document.querySelector('.primary-action')!;
    expect(proposeSelector(go)).toEqual({ selector: 'button.primary-action', matches: 1 });
  });

  it('names an element by its accessible name or its form field name', () => {
    document.body.innerHTML = `
      <button aria-label="Close dialog">×</button><button aria-label="Open menu">≡</button>
      <form><input name="email" type="email"><input name="company"></form>`;
    expect(proposeSelector(document.querySelector('[aria-label="Open menu"]')!)).toEqual({
      selector: 'button[aria-label="Open menu"]',
      matches: 1,
    });
    expect(proposeSelector(document.querySelector('[name="company"]')!)).toEqual({
      selector: 'input[name="company"]',
      matches: 1,
    });
  });

  it('is unique on the page: a name several elements share is scoped by an ancestor that has a stable one', () => {
    document.body.innerHTML = `
      <div data-tour="invoice-list"><a class="row-link" href="/invoices/new">New</a></div>
      <div data-tour="customer-list"><a class="row-link" href="/invoices/new">New</a></div>`;
    const second = document.querySelectorAll('a')[1]!;
    const proposal = proposeSelector(second);
    expect(proposal).toEqual({ selector: '[data-tour="customer-list"] a[href="/invoices/new"]', matches: 1 });
    expect(matchesOf(proposal.selector, undefined, document)).toEqual([second]);
  });

  it('narrows by visible text when nothing else tells the element apart', () => {
    document.body.innerHTML = `
      <ul class="menu">
        <li><a class="item" href="#">Home</a></li>
        <li><a class="item" href="#">
          Invoices
          <span class="badge">3</span>
        </a></li>
      </ul>`;
    const invoices = document.querySelectorAll('a')[1]!;
    const proposal = proposeSelector(invoices);
    expect(proposal).toEqual({ selector: 'a.item', text: 'Invoices', matches: 1 });
    expect(pointedAt(proposal)).toBe(invoices);
  });

  it('falls back to :nth-of-type steps only when there is no name and no text, and they find the element', () => {
    document.body.innerHTML = `
      <div id="grid"><span></span><span></span><span></span></div>
      <div><span></span></div>`;
    const third = byId('grid').children[2]!;
    const proposal = proposeSelector(third);
    expect(proposal).toEqual({ selector: '#grid > span:nth-of-type(3)', matches: 1 });
    expect(pointedAt(proposal)).toBe(third);
  });

  it('escapes quotes and backslashes in attribute values (as hex escapes), and the result still finds the element', () => {
    document.body.innerHTML = `<button aria-label='Say "hi" \\ now'>x</button><button aria-label="other">y</button>`;
    const button = document.querySelector('button')!;
    const proposal = proposeSelector(button);
    expect(proposal.selector).toBe('button[aria-label="Say \\22 hi\\22  \\5c  now"]');
    expect(pointedAt(proposal)).toBe(button);
  });
});

describe('telling written names from generated ones', () => {
  it.each([
    ['export-button', true],
    ['navBar', true],
    ['btn', true],
    ['css-1x2y3z', false],
    ['sc-bdVaJa', false],
    ['kGdQwP', false],
    ['Button_primary__3xYz1', false],
    ['_card_1x2y3_1', false],
    ['jsx-2412341', false],
    ['p-4', false],
    ['md:flex', false],
    ['w-[320px]', false],
    ['bg-blue-500', false],
    ['hover:bg-red-600', false],
  ])('class %s is stable: %s', (name, stable) => {
    expect(isStableClass(name)).toBe(stable);
  });

  it.each([
    ['settings-link', true],
    ['invoiceForm', true],
    [':r1:', false],
    ['radix-12', false],
    ['headlessui-menu-button-3', false],
    ['ember1234', false],
    ['menu-3', false],
    ['a1b2c3d4e5', false],
  ])('id %s is hand-written: %s', (id, written) => {
    expect(isHandWrittenId(id)).toBe(written);
  });
});

describe('the text that narrows a selector', () => {
  it('is the first line of the element’s text, as it stands in its textContent', () => {
    document.body.innerHTML = `<button id="b">
        <svg></svg>  Export CSV
        <small>all invoices</small></button><p id="empty"> </p>`;
    const text = suggestText(byId('b'));
    expect(text).toBe('Export CSV');
    expect(byId('b').textContent).toContain(text);
    expect(suggestText(byId('empty'))).toBeUndefined();
  });

  it('counts the matches of a selector with and without text, leaving out the widget’s own hosts', () => {
    document.body.innerHTML = `<a class="x">Home</a><a class="x">Invoices</a><waymark-widget class="x">Invoices</waymark-widget>`;
    expect(matchesOf('.x', undefined, document)).toHaveLength(2);
    expect(matchesOf('.x', ' invoices ', document)).toHaveLength(1);
    expect(matchesOf('a[', undefined, document)).toEqual([]);
  });
});
