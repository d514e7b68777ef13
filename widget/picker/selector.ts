import { findTarget, own } from '../spotlight/target.ts';

/**
 * The element picker's selector proposer (README, "Element picker"): given the element an author
 * clicked, the CSS selector least likely to break when the app is rebuilt or its content changes.
 * In order: a test or tour attribute (`data-testid`, `data-tour`...), another `data-*` attribute
 * with a plain value, an id that looks written by a person, an accessible name (`aria-label`), a
 * form field's `name`, a link's `href`, an image's `alt`, `role`, then class names that are not
 * generated (CSS-module hashes, `css-1x2y3z`, styled-components, Tailwind utilities are left out).
 * A name that matches more than one element is tried inside an ancestor that has a stable one, then
 * narrowed by visible text (a spotlight anchor's `text`), and only as a last resort becomes a chain
 * of `:nth-of-type` steps. Whatever comes out was checked to find the clicked element the way a
 * spotlight does (widget/spotlight/target.ts).
 */
export interface Proposal {
  selector: string;
  /** Visible text that narrows the selector's matches, when the selector alone is not enough. */
  text?: string;
  /** How many elements of the page the selector (and text) match. */
  matches: number;
}

/** Test and tour attributes, the ones written so that something outside the app can find an element. */
const preferred = ['data-testid', 'data-test-id', 'data-test', 'data-cy', 'data-qa', 'data-tour', 'data-pw'];

/** `data-*` attributes that frameworks set and change: state, scoped styles, render bookkeeping. */
const volatileData =
  /^data-(?:v-|react|radix|headlessui|state$|active|selected|open|focus|hover|pressed|checked|expanded|highlighted|disabled|loading|orientation|side|align|theme|emotion|styled|index|key$|uid|reach)/;

/**
 * A segment (between `-` or `_`) that mixes letters and digits over four characters or more, the
 * mark of a hash (`Button_primary__3xYz1`, `_card_1x2y3_1`), or a run of three digits or more.
 */
const hashed = (value: string) =>
  /\d{3,}/.test(value) || value.split(/[-_]+/).some((s) => s.length >= 4 && /\d/.test(s) && /[a-z]/i.test(s));

/** A word, or words joined by `-` and `_`: what a person names an id, a class or a test id. */
const word = /^[a-z][\w-]*$/i;

/**
 * An id a person wrote: a plain name, no hash, no counter at its end (`menu-3`), none of the
 * prefixes libraries generate ids with (`:r1:`, `radix-`, `headlessui-`, `ember12`, `mui-`).
 */
export function isHandWrittenId(id: string): boolean {
  return (
    word.test(id) &&
    id.length <= 64 &&
    !hashed(id) &&
    !/[-_]\d+$/.test(id) &&
    !/^(?:ember|react|radix|headlessui|mui|rc-|downshift|aria-|ui-id|yui|ext-gen|gwt|j_id|__)/i.test(id)
  );
}

/** Tailwind's utilities (and the like): layout and spacing, never a name of what the element is. */
const utility = new RegExp(
  '^-?(?:(?:[mp][trblxyse]?|w|h|size|min-[wh]|max-[wh]|gap(?:-[xy])?|space-[xy]|inset(?:-[xy])?|top|right|bottom|left|z|order|basis|col(?:-span|-start|-end)?|row(?:-span|-start|-end)?|grid-(?:cols|rows|flow)|auto-(?:cols|rows)|text|font|leading|tracking|bg|from|via|to|border(?:-[trblxyse])?|rounded(?:-[trblse]{1,2})?|shadow|ring(?:-offset)?|outline|opacity|blur|fill|stroke|divide(?:-[xy])?|place-(?:content|items|self)|justify(?:-items|-self)?|items|content|self|overflow(?:-[xy])?|overscroll|object|decoration|indent|whitespace|break|line-clamp|list|cursor|select|pointer-events|resize|snap|touch|transition|duration|ease|delay|animate|scale(?:-[xy])?|rotate|translate-[xy]|skew-[xy]|origin|accent|caret|aspect|columns|float|clear|box|mix-blend|flex|grow|shrink|sr)-[\\w.-]+' +
    '|flex|grid|block|inline|inline-block|inline-flex|inline-grid|hidden|contents|static|fixed|absolute|relative|sticky|visible|invisible|container|truncate|uppercase|lowercase|capitalize|italic|underline|antialiased|transform|transition|shadow|rounded|border|ring|outline|grow|shrink|isolate|sr-only)$',
);

/**
 * A class name a person chose (`export-button`, `navBar`), not a generated one: CSS modules
 * (`Button_primary__3xYz1`), emotion and styled-components (`css-1x2y3z`, `sc-bdVaJa`, `kGdQwP`),
 * Svelte and styled-jsx scoping (`svelte-xyz12`, `jsx-2412341`), Tailwind utilities (`p-4`,
 * `md:flex`, `w-[320px]`).
 */
export function isStableClass(name: string): boolean {
  if (!word.test(name) || name.length > 40 || hashed(name) || utility.test(name)) return false;
  if (/^(?:css|sc|jsx|emotion|svelte|astro|tw|styled)-/i.test(name)) return false;
  // A short run of letters in mixed case that is not camelCase words: styled-components' hashes.
  if (/^[a-z]{4,8}$/i.test(name) && /[A-Z].*[A-Z]/.test(name) && !/^[a-z]+(?:[A-Z][a-z]+)+$/.test(name))
    return false;
  return true;
}

/**
 * A CSS string. `"`, `\\` and line breaks are written as hex escapes (`\\22 `, `\\5c `, `\\a `), which
 * every selector engine reads (happy-dom, for one, rejects `\\"`).
 */
const quoted = (value: string) =>
  `"${value.replace(/\r?\n|["\\]/g, (c) => `\\${c === '"' ? '22' : c === '\\' ? '5c' : 'a'} `)}"`;

/** `[name="value"]`, the attribute's name escaped where it needs to be. */
const attribute = (name: string, value: string) => `[${CSS.escape(name)}=${quoted(value)}]`;

/** Names of the element alone, most robust first (each may match other elements too). */
export function ownNames(element: Element): string[] {
  const tag = CSS.escape(element.localName);
  const names: string[] = [];
  for (const name of preferred) {
    const value = element.getAttribute(name);
    if (value?.trim() && value.length <= 200) names.push(attribute(name, value));
  }
  for (const { name, value } of element.attributes) {
    if (!name.startsWith('data-') || preferred.includes(name) || volatileData.test(name)) continue;
    if (/^[\w .:/-]{1,100}$/.test(value) && !hashed(value)) names.push(tag + attribute(name, value));
  }
  if (element.id && isHandWrittenId(element.id)) names.push(`#${CSS.escape(element.id)}`);
  for (const name of ['aria-label', 'name', 'href', 'alt', 'title', 'placeholder']) {
    const value = element.getAttribute(name);
    // A link's address with a query or an id in it changes with the data it shows.
    if (!value?.trim() || value.length > 200 || (name === 'href' && (/[?#]/.test(value) || hashed(value))))
      continue;
    names.push(tag + attribute(name, value));
  }
  const role = element.getAttribute('role');
  if (role && word.test(role)) names.push(tag + attribute('role', role));
  const classes = [...element.classList].filter(isStableClass).slice(0, 2);
  for (const name of classes) names.push(`${tag}.${CSS.escape(name)}`);
  if (classes.length === 2) names.push(`${tag}.${classes.map((c) => CSS.escape(c)).join('.')}`);
  names.push(tag);
  return names;
}

/** The elements of `doc` that `selector` matches (the widget's own hosts left out), whose text contains `text`. */
export function matchesOf(selector: string, text: string | undefined, doc: Document): Element[] {
  const needle = text?.trim().toLowerCase();
  try {
    return [...doc.querySelectorAll(selector)].filter(
      (element) =>
        element.localName !== own && (!needle || element.textContent!.toLowerCase().includes(needle)),
    );
  } catch {
    return []; // not a selector this browser understands
  }
}

/**
 * Whether a spotlight with this selector and text would point at `element`: it is the first match
 * (visible first, as widget/spotlight/target.ts searches) of the page.
 */
export function findsElement(element: Element, selector: string, text?: string): boolean {
  const doc = element.ownerDocument;
  return findTarget({ selector, text, pierceShadow: false }, doc, undefined, true) === element;
}

/**
 * The element's first line of visible text, at most 80 characters, as it appears in its
 * `textContent` (what a spotlight's `text` is looked for in); nothing when it has none.
 *
 * @example
 * suggestText(button) // 'Export CSV' for <button><svg/> Export CSV</button>
 */
export function suggestText(element: Element): string | undefined {
  const line = element
    .textContent!.split(/\n|\s{2,}/)
    .map((part) => part.trim())
    .find(Boolean);
  return line ? line.slice(0, 80).trim() : undefined;
}

/**
 * The selector for the element an author picked, with the number of elements it matches on the
 * page; see Proposal above for what is preferred.
 *
 * @example
 * proposeSelector(exportButton) // { selector: '[data-tour="export"]', matches: 1 }
 * proposeSelector(secondOfThreeButtons) // { selector: 'button.action', text: 'Archive', matches: 1 }
 */
export function proposeSelector(element: Element): Proposal {
  const doc = element.ownerDocument;
  const unique = (selector: string, text?: string) =>
    selector.length <= 500 &&
    matchesOf(selector, text, doc).length === 1 &&
    findsElement(element, selector, text);
  const names = ownNames(element);
  for (const selector of names) if (unique(selector)) return { selector, matches: 1 };

  // Inside the nearest ancestors that have a stable, unique name of their own.
  const scoped: string[] = [];
  for (let parent = element.parentElement, seen = 0; parent && seen < 3; parent = parent.parentElement) {
    const anchor = ownNames(parent)
      .slice(0, -1)
      .find((name) => !name.includes('.') && matchesOf(name, undefined, doc).length === 1);
    if (!anchor) continue;
    seen++;
    for (const name of names) {
      const selector = `${anchor} ${name}`;
      if (unique(selector)) return { selector, matches: 1 };
      scoped.push(selector);
    }
  }

  // Narrowed by the element's visible text.
  const text = suggestText(element);
  if (text) {
    for (const selector of [...names, ...scoped])
      if (unique(selector, text)) return { selector, text, matches: 1 };
  }
  return { selector: path(element, unique), matches: 1 };
}

/**
 * The last resort: `:nth-of-type` steps up from the element, joined by `>`, from the nearest
 * ancestor with a unique stable name; when none has one, the shortest such chain that is unique.
 */
function path(element: Element, unique: (selector: string) => boolean): string {
  const doc = element.ownerDocument;
  const steps: string[] = [];
  let shortest: string | undefined;
  for (let node: Element | null = element; node; node = node.parentElement) {
    if (node !== element) {
      const anchor = ownNames(node)
        .slice(0, -1)
        .find((name) => !name.includes('.') && matchesOf(name, undefined, doc).length === 1);
      const selector = anchor && [anchor, ...steps].join(' > ');
      if (selector && unique(selector)) return selector;
    }
    const tag = CSS.escape(node.localName);
    const same = [...(node.parentElement?.children ?? [])].filter(
      (child) => child.localName === node!.localName,
    );
    steps.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(node) + 1})` : tag);
    if (!shortest && unique(steps.join(' > '))) shortest = steps.join(' > ');
  }
  return shortest ?? steps.join(' > ');
}
