/**
 * Content text as the widget draws it. Authors write plain text or a small markdown subset: **bold**,
 * *italic*, `code` and [text](url) links to https or to a relative path. The server parses it when
 * it delivers content (server/content/deliver.ts, server/spotlights/deliver.ts), so that the widget
 * only draws nodes, with Preact, as text and a handful of elements, never HTML: nothing in content
 * can run script. A link whose URL is not allowed (javascript:, data:, http:, protocol-relative
 * `//host`) is its text only. No zod here: the widget bundles `plainText`.
 */

/** A text, or an element: `['strong' | 'em' | 'code', ...children]` or `['a', href, ...children]`. */
export type RichNode = string | ['strong' | 'em' | 'code', ...RichNode[]] | ['a', string, ...RichNode[]];
export type RichText = RichNode[];

const token = /\*\*(.+?)\*\*|\*(?!\s)(.+?)\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;

/**
 * The URL a link may point to, or null. https and relative (`/path`, `./x`, `../x`, `?q`, `#id`) only.
 *
 * @example
 * safeHref('javascript:alert(1)') // null
 */
export function safeHref(url: string): string | null {
  // Browsers drop tabs and newlines inside URLs (`java\tscript:`); test what they would see.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: those very characters are what is removed
  const clean = url.replace(/[\u0000-\u0020\u007f]/g, '');
  if (/^https:\/\/[^/\\]/i.test(clean)) return clean;
  if (/^(\/(?![/\\])|\.\.?\/|[?#])/.test(clean)) return clean;
  return null;
}

/**
 * @example
 * parseRichText('Send your **first** [invoice](/invoices)')
 * // ['Send your ', ['strong', 'first'], ' ', ['a', '/invoices', 'invoice']]
 */
export function parseRichText(text: string, links = true): RichText {
  const out: RichText = [];
  let last = 0;
  for (const match of text.matchAll(token)) {
    const [whole, bold, italic, code, label, href] = match;
    const index = match.index ?? 0;
    if (label !== undefined && !links) continue; // no links inside link text
    if (index > last) out.push(text.slice(last, index));
    last = index + whole.length;
    if (bold !== undefined) out.push(['strong', ...parseRichText(bold, links)]);
    else if (italic !== undefined) out.push(['em', ...parseRichText(italic, links)]);
    else if (code !== undefined) out.push(['code', code]);
    else if (label !== undefined) {
      const safe = safeHref(href!);
      const children = parseRichText(label, false);
      if (safe) out.push(['a', safe, ...children]);
      else out.push(...children);
    }
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * The text a reader hears or a screen reader announces: the markup gone.
 *
 * @example
 * plainText(parseRichText('Send your **first** [invoice](/invoices)')) // 'Send your first invoice'
 */
export function plainText(text: RichText): string {
  return text
    .map((node) =>
      typeof node === 'string' ? node : plainText(node.slice(node[0] === 'a' ? 2 : 1) as RichText),
    )
    .join('');
}
