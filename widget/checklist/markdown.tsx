/**
 * @jsxRuntime classic
 * @jsx h
 * @jsxFrag Fragment
 */
// biome-ignore lint/correctness/noUnusedImports: classic JSX calls these (0.2 KB less than the automatic runtime)
import { type ComponentChildren, Fragment, h } from 'preact';

/**
 * The markdown subset content may use: **bold**, *italic*, `code` and [text](url) links to https or
 * to a relative path. Everything else is text: the input becomes Preact text nodes and a handful of
 * elements, never HTML, so nothing in it can run script. A link whose URL is not allowed (javascript:,
 * data:, http:, protocol-relative `//host`) shows its text only.
 */
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
 * <Markdown text="Send your **first** invoice" />
 */
export function Markdown({ text }: { text: string }) {
  return <>{parse(text, true)}</>;
}

function parse(text: string, links: boolean): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(token)) {
    const [whole, bold, italic, code, label, href] = match;
    const index = match.index ?? 0;
    if (label !== undefined && !links) continue; // no links inside link text
    if (index > last) out.push(text.slice(last, index));
    last = index + whole.length;
    if (bold !== undefined) out.push(<strong>{parse(bold, links)}</strong>);
    else if (italic !== undefined) out.push(<em>{parse(italic, links)}</em>);
    else if (code !== undefined) out.push(<code>{code}</code>);
    else if (label !== undefined) {
      const safe = safeHref(href!);
      const children = parse(label, false);
      out.push(
        safe ? (
          <a href={safe} rel="noopener noreferrer" target={safe.startsWith('https:') ? '_blank' : undefined}>
            {children}
          </a>
        ) : (
          children
        ),
      );
    }
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * The text a reader hears or a screen reader announces: the markup's characters removed.
 *
 * @example
 * plainText('Send your **first** [invoice](/invoices)') // 'Send your first invoice'
 */
export function plainText(text: string): string {
  return text.replace(token, (_whole, bold, italic, code, label) =>
    plainText(bold ?? italic ?? code ?? label ?? ''),
  );
}
