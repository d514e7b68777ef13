import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeliveredItem } from '../../shared/schemas/content.ts';
import { widgetStrings } from '../../shared/widget-strings.ts';
import { css } from '../../widget/view/main.ts';
import { checklist, item, response } from './checklist-fixture.ts';
import {
  $,
  $$,
  fakeHost,
  hosts,
  itemNamed,
  launcher,
  mountView,
  panel,
  press,
  removeWidgets,
  run,
  shadow,
  viewState,
} from './checklist-host.ts';
import { spotlight, step } from './spotlight-fixture.ts';

afterEach(() => {
  removeWidgets();
  vi.restoreAllMocks();
});

const ref = { contentId: 'cl_onboarding', version: 3 };
const checkbox = (title: string) =>
  itemNamed(title).querySelector('input[type="checkbox"]') as HTMLInputElement;

describe('the launcher and the panel, drawn from a content response', () => {
  it('shows a launcher button named with the progress, controlling a hidden labelled dialog', async () => {
    await mountView(fakeHost());

    const button = launcher()!;
    expect(button.getAttribute('aria-label')).toBe('Set up Ledgerly, 2 of 4 done');
    expect(button.textContent).toContain('2 of 4');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    const dialog = shadow().getElementById(button.getAttribute('aria-controls')!)!;
    expect(dialog).toBe(panel());
    expect(dialog.hidden).toBe(true);
    expect(dialog.hasAttribute('aria-modal')).toBe(false);
    expect(shadow().getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe(
      'Set up Ledgerly',
    );
  });

  it('lists every item with a real checkbox: done ones checked, only undone manual ones tickable', async () => {
    await mountView(fakeHost());

    expect($$('li').map((li) => li.querySelector('label')!.textContent)).toEqual([
      'Complete your profile',
      'Add a customer',
      'Send your first invoice',
      'Look at your reports',
      'Watch the product tour(Optional)',
    ]);
    const states = $$<HTMLInputElement>('li input[type="checkbox"]').map((box) => [
      box.checked,
      box.disabled,
    ]);
    expect(states).toEqual([
      [true, true],
      [true, true],
      [false, true],
      [false, true],
      [false, false],
    ]);
    for (const box of $$<HTMLInputElement>('li input')) {
      expect($(`label[for="${box.id}"]`)).not.toBeNull(); // each checkbox is named by its item's title
    }
    expect($('.progress')!.textContent).toBe('2 of 4 done');
  });

  it('gives undone items with an action a button: Start, or Show me for a spotlight', async () => {
    await mountView(fakeHost());

    expect(itemNamed('Add a customer').querySelector('button')).toBeNull(); // done
    expect(itemNamed('Send your first invoice').querySelector('button')!.textContent).toBe('Start');
    expect(itemNamed('Look at your reports').querySelector('button')!.textContent).toBe('Show me');
    expect(itemNamed('Watch the product tour').querySelector('button')).toBeNull(); // no action
  });

  it('renders the description’s markdown as elements and any HTML in content as text', async () => {
    const host = fakeHost();
    const hostile = checklist({
      title: '<img src=x onerror="window.pwned=1">Hi',
      items: [
        item({ id: 'a', title: '<script>window.pwned=1</script>', description: '[x](javascript:alert(1))' }),
      ],
    });
    await mountView(host, viewState({ response: response({ checklists: [hostile] }) }));

    expect(shadow().querySelector('img, script')).toBeNull();
    expect($('h2')!.textContent).toBe('<img src=x onerror="window.pwned=1">Hi');
    expect(itemNamed('<script>').querySelector('a')).toBeNull();
    expect((window as { pwned?: number }).pwned).toBeUndefined();
  });

  it('shows nothing, and throws nothing, for a malformed checklist from an old cache', async () => {
    const host = fakeHost();
    const broken = { ...checklist(), items: undefined } as unknown as ReturnType<typeof checklist>;
    await expect(
      mountView(host, viewState({ response: response({ checklists: [broken] }) })),
    ).resolves.toBeDefined();

    expect(hosts()).toEqual([]);
  });
});

describe('keyboard and focus', () => {
  it('opens on the launcher, moving focus into the panel; Escape closes it and returns focus to the launcher', async () => {
    const host = fakeHost();
    await mountView(host);

    await run(() => launcher()!.click());
    expect(panel()!.hidden).toBe(false);
    expect(launcher()!.getAttribute('aria-expanded')).toBe('true');
    expect(shadow().activeElement).toBe(panel());

    checkbox('Watch the product tour').focus();
    const pageHeard = vi.fn();
    document.addEventListener('keydown', pageHeard);
    await run(() => press(checkbox('Watch the product tour'), 'Escape'));
    document.removeEventListener('keydown', pageHeard);
    expect(pageHeard).not.toHaveBeenCalled(); // that Escape was ours, not for the page's own dialogs

    expect(panel()!.hidden).toBe(true);
    expect(launcher()!.getAttribute('aria-expanded')).toBe('false');
    expect(shadow().activeElement).toBe(launcher());
    expect(host.emitted).toEqual([
      ['checklist_shown', ref],
      ['checklist_opened', ref],
      ['checklist_closed', ref],
    ]);
  });

  it('the close button collapses to the launcher and focuses it', async () => {
    await mountView(fakeHost());
    await run(() => launcher()!.click());

    await run(() => $<HTMLButtonElement>('button[aria-label="Close"]')!.click());

    expect(panel()!.hidden).toBe(true);
    expect(shadow().activeElement).toBe(launcher());
  });

  it('an Escape elsewhere on the page is left to the page', async () => {
    const host = fakeHost();
    await mountView(host);
    await run(() => launcher()!.click());
    const seen = vi.fn();
    document.addEventListener('keydown', seen);

    await run(() => press(document.body, 'Escape'));
    document.removeEventListener('keydown', seen);

    expect(seen).toHaveBeenCalled();
    expect(panel()!.hidden).toBe(false);
  });
});

describe('what the user does', () => {
  it('ticking a manual item records it, shows it done at once and announces the progress', async () => {
    const host = fakeHost();
    const extra = item({ id: 'extra', title: 'Invite a **colleague**', manual: true });
    await mountView(
      host,
      viewState({
        response: response({ checklists: [checklist({ items: [...checklist().items, extra] })] }),
      }),
    );
    await run(() => launcher()!.click());
    expect($('[aria-live="polite"]')!.textContent).toBe('');

    checkbox('Invite a colleague').focus();
    await run(() => checkbox('Invite a colleague').click());

    expect(host.emitted.at(-1)).toEqual(['checklist_item_checked', { ...ref, itemId: 'extra' }]);
    expect(host.flush).toHaveBeenCalled();
    expect(checkbox('Invite a colleague').checked).toBe(true);
    // Ticked for good, and still focused: a disabled box would have dropped focus to the page.
    expect(checkbox('Invite a colleague').getAttribute('aria-disabled')).toBe('true');
    expect(checkbox('Invite a colleague').disabled).toBe(false);
    expect(shadow().activeElement).toBe(checkbox('Invite a colleague'));
    await run(() => checkbox('Invite a colleague').click());
    expect(checkbox('Invite a colleague').checked).toBe(true);
    expect(host.emitted.filter(([name]) => name === 'checklist_item_checked')).toHaveLength(1);
    expect($('[aria-live="polite"]')!.textContent).toBe('Invite a colleague done. 3 of 5 complete.');
    expect(launcher()!.getAttribute('aria-label')).toBe('Set up Ledgerly, 3 of 5 done');
  });

  it('an automatic item cannot be ticked by hand', async () => {
    const host = fakeHost();
    await mountView(host);

    await run(() => checkbox('Send your first invoice').click());

    expect(checkbox('Send your first invoice').checked).toBe(false);
    expect(host.emitted.map(([name]) => name)).not.toContain('checklist_item_checked');
  });

  it('a callback action calls the function the host app registered, after recording the click', async () => {
    const host = fakeHost();
    await mountView(host);
    await run(() => launcher()!.click());

    await run(() => itemNamed('Send your first invoice').querySelector('button')!.click());

    expect(host.emitted.at(-1)).toEqual(['checklist_item_clicked', { ...ref, itemId: 'invoice' }]);
    expect(host.callback).toHaveBeenCalledWith('openInvoiceEditor', {
      checklistId: 'cl_onboarding',
      itemId: 'invoice',
    });
  });

  it('a url action to a path of this site routes through history and popstate, so a single-page app follows', async () => {
    const host = fakeHost();
    const go = item({
      id: 'go',
      title: 'Go',
      action: { kind: 'url', url: '/customers/new?from=checklist', newTab: false },
    });
    await mountView(host, viewState({ response: response({ checklists: [checklist({ items: [go] })] }) }));
    await run(() => launcher()!.click());
    const popstate = vi.fn();
    window.addEventListener('popstate', popstate);
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);

    await run(() => itemNamed('Go').querySelector('button')!.click());
    window.removeEventListener('popstate', popstate);

    expect(window.location.pathname + window.location.search).toBe('/customers/new?from=checklist');
    expect(popstate).toHaveBeenCalledTimes(1);
    expect(assign).not.toHaveBeenCalled();
    expect(panel()!.hidden).toBe(true); // out of the way of the page the user went to
  });

  it('a url action to another site is a normal navigation', async () => {
    const host = fakeHost();
    const go = item({
      id: 'go',
      title: 'Docs',
      action: { kind: 'url', url: 'https://docs.example.com/a', newTab: false },
    });
    await mountView(host, viewState({ response: response({ checklists: [checklist({ items: [go] })] }) }));
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);

    await run(() => itemNamed('Docs').querySelector('button')!.click());

    expect(assign).toHaveBeenCalledWith('https://docs.example.com/a');
  });

  it('a spotlight action closes the panel and starts that spotlight, which takes focus', async () => {
    const host = fakeHost();
    document.body.insertAdjacentHTML('beforeend', '<button data-tour="reports">Reports</button>');
    const tour = spotlight({
      id: 'sp_reports',
      steps: [step('reports', { title: 'Your reports' })],
      trigger: { kind: 'click', selector: '#nothing' }, // only "Show me" starts it
    });
    await mountView(host, viewState({ response: { ...response(), spotlights: [tour] } }));
    await run(() => launcher()!.click());
    await run(() => itemNamed('Look at your reports').querySelector('button')!.click());

    expect(panel()!.hidden).toBe(true);
    const tip = () => hosts()[1]?.shadowRoot?.querySelector<HTMLElement>('.tip');
    await vi.waitFor(() => expect(tip()?.querySelector('h2')?.textContent).toBe('Your reports'));
    expect(hosts()[1]!.shadowRoot!.activeElement?.textContent).toBe('Done');
    await run(() => tip()!.querySelector<HTMLButtonElement>('button[aria-label="Close"]')!.click());
    expect(tip()).toBeUndefined(); // dismissed: its layer left the page
    document.querySelector('[data-tour="reports"]')!.remove();
  });

  it('records the panel as closed when a spotlight the user started takes the screen', async () => {
    const host = fakeHost();
    document.body.insertAdjacentHTML(
      'beforeend',
      '<button id="help">Help</button><p data-tour="tip">Tip</p>',
    );
    const tip = spotlight({
      id: 'sp_help',
      steps: [step('tip')],
      trigger: { kind: 'click', selector: '#help' },
    });
    await mountView(host, viewState({ response: { ...response(), spotlights: [tip] } }));
    await run(() => launcher()!.click());
    expect(host.emitted.at(-1)).toEqual(['checklist_opened', ref]);

    // The spotlight chunk loads lazily: click until its trigger listens.
    await vi.waitFor(async () => {
      await run(() => document.querySelector<HTMLButtonElement>('#help')!.click());
      expect(panel()!.hidden).toBe(true);
    });
    expect(host.emitted).toContainEqual(['checklist_closed', ref]);
    document.querySelector('#help')!.remove();
    document.querySelector('[data-tour="tip"]')!.remove();
  });

  it('dismissing hides the checklist; open() brings it back with its panel open', async () => {
    const host = fakeHost();
    const view = await mountView(host);
    await run(() => launcher()!.click());

    await run(() => $<HTMLButtonElement>('.foot button')!.click());

    expect(host.emitted.at(-1)).toEqual(['checklist_dismissed', ref]);
    expect(launcher()).toBeNull();

    await run(() => view.open());
    expect(panel()!.hidden).toBe(false);
    expect(shadow().activeElement).toBe(panel());
    expect(host.emitted.at(-1)).toEqual(['checklist_opened', ref]);
  });

  it('offers no dismiss button for a checklist that is not dismissible', async () => {
    await mountView(
      fakeHost(),
      viewState({ response: response({ checklists: [checklist({ dismissible: false })] }) }),
    );

    expect($('.foot')).toBeNull();
    expect($$('button').map((b) => b.textContent)).not.toContain('Dismiss checklist');
  });
});

describe('first view, completion', () => {
  it('opens by itself the first time the user sees it (without taking focus), once', async () => {
    const host = fakeHost();
    const first = viewState({ response: response({ checklists: [checklist({ seen: false })] }) });
    const outside = document.createElement('button');
    document.body.append(outside);
    outside.focus();
    await mountView(host, first);

    expect(panel()!.hidden).toBe(false);
    expect(document.activeElement).toBe(outside);
    expect(host.emitted).toEqual([
      ['checklist_shown', ref],
      ['checklist_opened', ref],
    ]);
    outside.remove();
    await run(() => launcher()!.click()); // the user closes it
    removeWidgets();

    // The next page, before the server knows it was seen.
    const again = fakeHost(host.env);
    await mountView(again, first);
    expect(panel()!.hidden).toBe(true);
    expect(again.emitted).toEqual([]);
  });

  it('sends shown once per version and per user', async () => {
    const host = fakeHost();
    await mountView(host);
    removeWidgets();
    await mountView(fakeHost(host.env));
    removeWidgets();
    const v4 = fakeHost(host.env);
    await mountView(v4, viewState({ response: response({ checklists: [checklist({ version: 4 })] }) }));
    removeWidgets();
    const otherUser = fakeHost(host.env);
    await mountView(otherUser, viewState({ user: 'u2' }));

    expect(host.emitted).toEqual([['checklist_shown', ref]]);
    expect(v4.emitted).toEqual([['checklist_shown', { contentId: 'cl_onboarding', version: 4 }]]);
    expect(otherUser.emitted).toEqual([['checklist_shown', ref]]);
  });

  it('celebrates when every required item is done, and sends completed once', async () => {
    const host = fakeHost();
    const view = await mountView(host);
    const allDone = checklist({
      items: checklist().items.map((i: DeliveredItem) =>
        i.required ? { ...i, doneAt: '2026-11-23T10:00:00.000Z' } : i,
      ),
    });
    await run(() => view.update(viewState({ response: response({ checklists: [allDone] }) })));
    await run(() => view.update(viewState({ response: response({ checklists: [allDone] }) })));
    await run(() => launcher()!.click());

    expect(host.emitted.filter(([name]) => name === 'checklist_completed')).toEqual([
      ['checklist_completed', ref],
    ]);
    expect($('.celebrate h3')!.textContent).toBe('All done!');
    expect($('.celebrate p')!.textContent).toBe('You have completed every step. Nice work.');
    expect(launcher()!.getAttribute('aria-label')).toBe('Set up Ledgerly, 4 of 4 done');
    expect($('[aria-live="polite"]')!.textContent).toBe(
      'Send your first invoice done. 4 of 4 complete. Look at your reports done. 4 of 4 complete.',
    );
  });
});

describe('where and how it shows', () => {
  it('shows only on pages its URL rules match, rechecked on every update (SPA navigation)', async () => {
    const host = fakeHost();
    const onInvoices = checklist({
      urls: [{ match: 'prefix', pattern: '/invoices', withQuery: false }],
      excludeUrls: [{ match: 'exact', pattern: '/invoices/print', withQuery: false }],
    });
    const state = viewState({ response: response({ checklists: [onInvoices] }) });
    const view = await mountView(host, state);
    expect(hosts()).toEqual([]); // /start: nothing drawn, not even the host element

    host.env.location = { ...host.env.location, path: '/invoices/42', search: '' };
    await run(() => view.update(state));
    expect(launcher()).not.toBeNull();

    host.env.location = { ...host.env.location, path: '/invoices/print' };
    await run(() => view.update(state));
    expect(launcher()).toBeNull();
  });

  it('applies the delivered theme: colour scheme, brand colour and the text on it, font, radius, side', async () => {
    const theme = {
      brandColor: '#fde047',
      onBrand: '#000' as const,
      font: 'Inter, sans-serif',
      radius: 4,
      mode: 'dark' as const,
    };
    await mountView(
      fakeHost(),
      viewState({ response: response({ theme, checklists: [checklist({ position: 'bottom-left' })] }) }),
    );

    const root = $('.root')!;
    expect(root.dataset.mode).toBe('dark');
    expect(root.dataset.position).toBe('bottom-left');
    expect(root.style.getPropertyValue('--wm-brand')).toBe('#fde047');
    expect(root.style.getPropertyValue('--wm-on-brand')).toBe('#000');
    expect(root.style.getPropertyValue('--wm-font')).toBe('Inter, sans-serif');
    expect(root.style.getPropertyValue('--wm-radius')).toBe('4px');
  });

  it('wears the host page’s colour scheme (waymark.theme()) over the delivered one', async () => {
    // The fixture's workspace theme is light.
    const view = await mountView(fakeHost(), viewState({ mode: 'dark' }));
    expect($('.root')!.dataset.mode).toBe('dark');
    await run(() => view.update(viewState({ mode: 'auto' })));
    expect($('.root')!.dataset.mode).toBe('auto');
    await run(() => view.update(viewState()));
    expect($('.root')!.dataset.mode).toBe('light');
  });

  it('lays out right to left, with its own strings, for an Arabic user', async () => {
    const arabic = checklist({ locale: 'ar', title: 'إعداد ليدجرلي' });
    await mountView(
      fakeHost(),
      viewState({
        locale: 'ar-EG',
        response: response({ checklists: [arabic], strings: widgetStrings('ar-EG') }),
      }),
    );

    expect($('.root')!.getAttribute('dir')).toBe('rtl');
    expect(panel()!.getAttribute('lang')).toBe('ar');
    expect(launcher()!.getAttribute('aria-label')).toBe('إعداد ليدجرلي, اكتمل 2 من 4');
    expect($('button[aria-label="إغلاق"]')).not.toBeNull();
  });

  it('touches the host page once: one element on <body> with inline !important styles, the rest in its shadow root', async () => {
    const head = document.head.innerHTML;
    const bodyChildren = document.body.children.length;
    await mountView(fakeHost());

    expect(document.head.innerHTML).toBe(head);
    expect(document.body.children).toHaveLength(bodyChildren + 1);
    const [host] = hosts();
    expect(host!.parentElement).toBe(document.body);
    expect(host!.style.getPropertyValue('all')).toBe('initial');
    expect(host!.style.getPropertyPriority('all')).toBe('important');
    expect(host!.style.getPropertyValue('position')).toBe('fixed');
    expect(host!.style.getPropertyPriority('position')).toBe('important');
    expect(host!.style.getPropertyValue('direction')).toBe('ltr');
    expect(host!.childNodes).toHaveLength(0);
    expect(document.querySelector('.launcher, .panel, [role="dialog"]')).toBeNull();
    // A constructed stylesheet (no inline <style>, so a strict CSP does not block it), adopted inside only.
    expect(shadow().adoptedStyleSheets).toHaveLength(1);
    expect(shadow().adoptedStyleSheets[0]!.cssRules.length).toBeGreaterThan(30);
    expect(document.adoptedStyleSheets).toHaveLength(0);
  });

  it('falls back to a <style> inside the shadow root where constructed stylesheets are missing', async () => {
    const adopted = Object.getOwnPropertyDescriptor(ShadowRoot.prototype, 'adoptedStyleSheets')!;
    delete (ShadowRoot.prototype as { adoptedStyleSheets?: unknown }).adoptedStyleSheets;
    try {
      await mountView(fakeHost());
    } finally {
      Object.defineProperty(ShadowRoot.prototype, 'adoptedStyleSheets', adopted);
    }

    expect($('style')!.textContent).toBe(css);
    expect(document.querySelectorAll('style')).toHaveLength(0);
  });

  it('its stylesheet resets at the boundary, keeps focus visible, calms motion on request, ignores rem', () => {
    expect(css).toContain(':host{all:initial}');
    expect(css).toMatch(/@media \(prefers-reduced-motion:reduce\)\{[^}]*animation:none!important/);
    // Every focusable element, and the custom checkbox's box for its hidden input.
    expect(css).toMatch(/\}:focus-visible\{outline:2px solid var\(--wm-focus\)/);
    expect(css).toMatch(/\ninput:focus-visible\+\.box\{outline:2px solid var\(--wm-focus\)/);
    expect(css).not.toContain('outline:none');
    expect(css).not.toMatch(/\d(\.\d+)?rem/); // a host's html font-size must not scale the widget
  });

  it('puts its element back if the page wiped <body>', async () => {
    const view = await mountView(fakeHost());
    for (const host of hosts()) host.remove();

    await run(() => view.update(viewState()));

    expect(launcher()).not.toBeNull();
  });
});

describe('several checklists on a page', () => {
  const second = checklist({ id: 'cl_reports', title: 'Master reports', openOnFirstView: false });
  const state = () => viewState({ response: response({ checklists: [checklist({ seen: true }), second] }) });

  it('shows the first (the server ranked them) and switches to the others from the panel’s header', async () => {
    const host = fakeHost();
    await mountView(host, state());
    expect(launcher()!.getAttribute('aria-label')).toMatch(/^Set up Ledgerly,/);
    await run(() => launcher()!.click());
    expect($('.switch span')!.textContent).toBe('1 of 2');
    const next = $<HTMLButtonElement>('.switch button[aria-label="Next checklist"]')!;
    await run(() => next.click());
    expect($('.switch span')!.textContent).toBe('2 of 2');
    expect(panel()!.hidden).toBe(false);
    expect(shadow().getElementById(panel()!.getAttribute('aria-labelledby')!)!.textContent).toBe(
      'Master reports',
    );
    expect(launcher()!.getAttribute('aria-label')).toMatch(/^Master reports,/);
    // It wraps: next from the last is the first; previous from the first is the last.
    await run(() => $<HTMLButtonElement>('.switch button[aria-label="Next checklist"]')!.click());
    expect($('.switch span')!.textContent).toBe('1 of 2');
    await run(() => $<HTMLButtonElement>('.switch button[aria-label="Previous checklist"]')!.click());
    expect($('.switch span')!.textContent).toBe('2 of 2');
    const opened = host.emitted.filter(([name]) => name === 'checklist_opened').map(([, p]) => p.contentId);
    expect(opened).toEqual(['cl_onboarding', 'cl_reports', 'cl_onboarding', 'cl_reports']);
  });

  it('has no switcher with one checklist', async () => {
    await mountView(fakeHost());
    await run(() => launcher()!.click());
    expect($('.switch')).toBeNull();
  });

  it('draws a backdrop behind the open panel that closes it, focus back on the launcher', async () => {
    await mountView(fakeHost(), state());
    expect($('.scrim')).toBeNull();
    await run(() => launcher()!.click());
    await run(() => $<HTMLElement>('.scrim')!.click());
    expect(panel()!.hidden).toBe(true);
    expect($('.scrim')).toBeNull();
    expect(shadow().activeElement).toBe(launcher());
  });
});
