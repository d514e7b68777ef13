import type { Picked, pickedType } from '../../shared/schemas/picker.ts';
import { createShadowHost } from '../shadow-root.ts';
import { isVisible, own } from '../spotlight/target.ts';
import { findsElement, matchesOf, proposeSelector, suggestText } from './selector.ts';

/** shared/schemas/picker.ts's message type, pinned by its literal type (importing the value would bundle zod). */
const type: typeof pickedType = 'waymark:picked';

export interface PickerOptions {
  /** Sends the author's choice (to the console that opened this tab). */
  send(message: Picked): void;
  /** After sending: closes the tab (a tab the console opened may be closed by script). */
  done(): void;
  /** The page's address, sent with the choice. */
  url(): string;
  doc?: Document;
}

export interface Picker {
  /** Takes the picker off the page and unhooks its listeners. */
  stop(): void;
}

/**
 * Above everything the widget draws (widget/view/layers.ts ends at 2147483006): the picker covers
 * the page, a preview's tooltip included, with the highlight and then its panel on top.
 */
const css = `
:host{color-scheme:light}
.layer{position:fixed;inset:0;z-index:2147483645;cursor:crosshair;outline:none}
.box{position:fixed;z-index:2147483646;pointer-events:none;box-sizing:border-box;border:2px solid #2563eb;background:rgba(37,99,235,.12);border-radius:3px;display:none}
.box span{position:absolute;left:-2px;bottom:100%;margin-bottom:2px;background:#2563eb;color:#fff;font:600 11px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;padding:1px 5px;border-radius:3px;white-space:nowrap}
.box.chosen{border-color:#16a34a;background:rgba(22,163,74,.14)}
.box.chosen span{background:#16a34a}
.panel{position:fixed;right:16px;bottom:16px;z-index:2147483647;box-sizing:border-box;width:min(380px,calc(100vw - 32px));background:#fff;color:#111827;border:1px solid #d1d5db;border-radius:10px;box-shadow:0 10px 30px rgba(0,0,0,.2);padding:14px 16px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.panel.top{bottom:auto;top:16px}
.panel h2{font-size:14px;margin:0 0 6px}
.panel p{margin:0 0 8px}
.panel label{display:block;margin:0 0 8px;font-weight:600;font-size:12px;color:#374151}
.panel input[type=text]{display:block;box-sizing:border-box;width:100%;margin-top:3px;padding:6px 8px;border:1px solid #9ca3af;border-radius:6px;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;color:#111827;background:#fff}
.panel .narrow{display:flex;gap:6px;align-items:center;font-weight:400}
.count{font-size:13px;color:#374151}
.count.bad{color:#b91c1c;font-weight:600}
.actions{display:flex;gap:8px;flex-wrap:wrap}
button{font:600 13px/1 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:8px 12px;border-radius:6px;border:1px solid #9ca3af;background:#fff;color:#111827;cursor:pointer}
button.use{background:#1d4ed8;border-color:#1d4ed8;color:#fff}
button:disabled{opacity:.5;cursor:not-allowed}
button:focus-visible,input:focus-visible,.layer:focus-visible{outline:2px solid #2563eb;outline-offset:2px}
[hidden]{display:none!important}
`;

/**
 * An element with attributes and children, made with DOM calls: no markup is parsed, so a host that
 * enforces Trusted Types (which refuses `innerHTML`) shows the picker too.
 */
function el(
  doc: Document,
  tag: string,
  attributes: Record<string, string>,
  ...children: Array<Node | string>
) {
  const element = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** What the panel shows, built once; every string is text, never markup. */
function panelParts(doc: Document): Node[] {
  const field = (className: string) =>
    el(doc, 'input', { type: 'text', class: className, spellcheck: 'false', autocomplete: 'off' });
  return [
    el(doc, 'h2', { id: 'wm-pick-title' }, 'Pick an element'),
    el(
      doc,
      'p',
      { class: 'hint' },
      'Click an element of this page. Arrow keys move the highlight (up: its parent, down: its first child, left and right: its siblings), Enter picks, Esc cancels.',
    ),
    el(
      doc,
      'div',
      { class: 'chosen', hidden: '' },
      el(doc, 'label', {}, 'Selector', field('selector')),
      el(
        doc,
        'label',
        { class: 'narrow' },
        el(doc, 'input', { type: 'checkbox', class: 'narrowed' }),
        ' Narrow by visible text',
      ),
      el(doc, 'label', { class: 'text-field', hidden: '' }, 'Text it contains', field('text')),
      el(doc, 'p', { class: 'count', 'aria-live': 'polite' }),
      el(
        doc,
        'div',
        { class: 'actions' },
        el(doc, 'button', { type: 'button', class: 'use' }, 'Use this'),
        el(doc, 'button', { type: 'button', class: 'again' }, 'Pick again'),
        el(doc, 'button', { type: 'button', class: 'cancel' }, 'Cancel'),
      ),
    ),
    el(doc, 'p', { class: 'sent', hidden: '', role: 'status' }, 'Sent to Waymark. You can close this tab.'),
  ];
}

/** Events the picker keeps to itself: the host page's own handlers never see them. */
const swallowed = [
  'pointerdown',
  'pointerup',
  'mousedown',
  'mouseup',
  'click',
  'dblclick',
  'auxclick',
  'contextmenu',
  'keydown',
  'keyup',
  'keypress',
  'input',
  'change',
  'focusin',
  'focusout',
];

/**
 * The element picker (README, "Element picker"), drawn in its own shadow root over the page: it
 * highlights the element under the pointer (or the one the arrow keys walk to), and on a click or
 * Enter shows the selector proposed for it (widget/picker/selector.ts), how many elements it
 * matches, and a text to narrow it by; "Use this" sends `{ selector, text?, matches, url }`.
 * Clicks and keys land on the picker, never on the page's elements; nothing it does throws into
 * the page (each handler is guarded).
 *
 * @example
 * createPicker({ send: (m) => opener.postMessage(m, origin), done: () => close(), url: () => location.href })
 */
export function createPicker(options: PickerOptions): Picker {
  const doc = options.doc ?? document;
  const win = doc.defaultView!;
  const { root, container } = createShadowHost(css, doc);
  const host = root.host;
  const layer = doc.createElement('div');
  layer.className = 'layer';
  layer.tabIndex = 0;
  layer.setAttribute('role', 'application');
  layer.setAttribute('aria-label', 'The page: point at an element, or use the arrow keys, to pick it');
  const box = doc.createElement('div');
  box.className = 'box';
  const label = doc.createElement('span');
  box.append(label);
  const panel = doc.createElement('div');
  panel.className = 'panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-labelledby', 'wm-pick-title');
  panel.append(...panelParts(doc));
  container.append(layer, box, panel);
  const part = <E extends Element>(selector: string) => panel.querySelector<E>(selector)!;
  const chosenPart = part<HTMLElement>('.chosen');
  const selectorInput = part<HTMLInputElement>('.selector');
  const narrowed = part<HTMLInputElement>('.narrowed');
  const textField = part<HTMLElement>('.text-field');
  const textInput = part<HTMLInputElement>('.text');
  const count = part<HTMLElement>('.count');
  const use = part<HTMLButtonElement>('.use');

  /** The highlighted element: under the pointer, walked to by keys, or picked. */
  let current: Element | null = null;
  let chosen: Element | null = null;
  let matches = 0;
  let stopped = false;

  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      try {
        if (!stopped) fn(...args);
      } catch {
        // The picker is a tool for the page's author: a failure leaves the page as it was.
      }
    };

  const draw = () => {
    const target = chosen ?? current;
    box.style.display = target ? 'block' : 'none';
    box.classList.toggle('chosen', !!chosen);
    if (!target) return;
    const rect = target.getBoundingClientRect();
    Object.assign(box.style, {
      left: `${rect.left}px`,
      top: `${rect.top}px`,
      width: `${rect.width}px`,
      height: `${rect.height}px`,
    });
    label.textContent = target.localName;
    // The panel moves to the top of the screen when, in its corner below, it would hide the element.
    const { offsetWidth, offsetHeight } = panel;
    panel.classList.toggle(
      'top',
      rect.bottom > win.innerHeight - offsetHeight - 24 && rect.right > win.innerWidth - offsetWidth - 24,
    );
  };

  /** The page's element at a point: not the picker, nor any other of the widget's hosts. */
  const under = (x: number, y: number) =>
    doc.elementsFromPoint(x, y).find((element) => element.localName !== own) ?? null;

  const refresh = () => {
    const selector = selectorInput.value.trim();
    const text = narrowed.checked ? textInput.value.trim() : '';
    textField.hidden = !narrowed.checked;
    const found = matchesOf(selector, text || undefined, doc);
    let valid = true;
    try {
      doc.querySelector(selector);
    } catch {
      valid = false;
    }
    const finds = valid && !!chosen && findsElement(chosen, selector, text || undefined);
    matches = found.length;
    count.className = finds ? 'count' : 'count bad';
    count.textContent = !selector
      ? 'Write a selector.'
      : !valid
        ? 'This is not a CSS selector the browser understands.'
        : !finds
          ? `It matches ${plural(matches)} on this page, but a spotlight would not point at the element you picked.`
          : matches === 1
            ? 'It matches 1 element on this page: the one you picked.'
            : `It matches ${plural(matches)} on this page; a spotlight points at the first visible one, the one you picked.`;
    use.disabled = !finds || selector.length > 500 || text.length > 200;
  };

  const choose = (element: Element | null) => {
    if (!element) return;
    chosen = element;
    const proposal = proposeSelector(element);
    selectorInput.value = proposal.selector;
    narrowed.checked = !!proposal.text;
    textInput.value = proposal.text ?? suggestText(element) ?? '';
    chosenPart.hidden = false;
    part<HTMLElement>('.hint').hidden = true;
    refresh();
    draw();
    use.focus();
  };

  const again = () => {
    chosen = null;
    chosenPart.hidden = true;
    part<HTMLElement>('.hint').hidden = false;
    draw();
    layer.focus();
  };

  const stop = () => {
    stopped = true;
    win.removeEventListener('scroll', redraw, true);
    win.removeEventListener('resize', redraw);
    host.remove();
  };

  const send = () => {
    const selector = selectorInput.value.trim();
    const text = narrowed.checked ? textInput.value.trim() : '';
    options.send({ type, selector, ...(text ? { text } : {}), matches, url: options.url() });
    container.replaceChildren(panel);
    panel.replaceChildren(part<HTMLElement>('.sent'));
    part<HTMLElement>('.sent').hidden = false;
    options.done();
  };

  /** Arrow keys: up to the parent, down to the first child, left and right to the siblings. */
  const walk = (key: string) => {
    const from = chosen ?? current ?? under(win.innerWidth / 2, win.innerHeight / 2);
    if (!from) return;
    const shown = (element: Element | null): Element | null => {
      for (
        let next = element;
        next;
        next = key === 'ArrowLeft' ? next.previousElementSibling : next.nextElementSibling
      )
        if (next.localName !== own && isVisible(next)) return next;
      return null;
    };
    const next =
      key === 'ArrowUp'
        ? from.parentElement
        : key === 'ArrowDown'
          ? shown(from.firstElementChild)
          : key === 'ArrowLeft'
            ? shown(from.previousElementSibling)
            : shown(from.nextElementSibling);
    if (!next || next === doc.documentElement) return;
    if (chosen) choose(next);
    else current = next;
    next.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    draw();
  };

  const redraw = guard(draw);
  layer.addEventListener(
    'pointermove',
    guard((event: PointerEvent) => {
      if (chosen) return;
      current = under(event.clientX, event.clientY);
      draw();
    }),
  );
  layer.addEventListener(
    'pointerdown',
    guard((event: PointerEvent) => {
      // No focus change and no text selection on the page; the keys go to the picker.
      event.preventDefault();
      layer.focus();
    }),
  );
  layer.addEventListener(
    'click',
    guard((event: MouseEvent) => {
      event.preventDefault();
      choose(under(event.clientX, event.clientY));
    }),
  );
  root.addEventListener(
    'keydown',
    guard((keydown: Event) => {
      const event = keydown as KeyboardEvent;
      const onLayer = event.target === layer;
      if (event.key === 'Escape') {
        event.preventDefault();
        if (chosen) again();
        else stop();
      } else if (onLayer && event.key.startsWith('Arrow')) {
        event.preventDefault();
        walk(event.key);
      } else if (onLayer && event.key === 'Enter') {
        event.preventDefault();
        choose(current);
      }
    }),
  );
  for (const input of [selectorInput, textInput, narrowed]) input.addEventListener('input', guard(refresh));
  use.addEventListener('click', guard(send));
  part('.again').addEventListener('click', guard(again));
  part('.cancel').addEventListener('click', guard(stop));
  // Composed events bubble out of a shadow root to the page's document: stopped at the root, so the
  // page's listeners (a menu that closes on an outside click, keyboard shortcuts) never hear them.
  for (const name of swallowed) root.addEventListener(name, (event) => event.stopPropagation());
  win.addEventListener('scroll', redraw, true);
  win.addEventListener('resize', redraw);
  layer.focus();
  return { stop: () => guard(stop)() };
}

const plural = (n: number) => `${n} element${n === 1 ? '' : 's'}`;
