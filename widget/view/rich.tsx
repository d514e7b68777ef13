import { type ComponentChildren, h } from 'preact';
import type { RichNode, RichText } from '../../shared/rich-text.ts';

const formats: Record<string, true> = { strong: true, em: true, code: true };

/** One node: text, an element of the subset (a cached copy's anything else: its text only), a link. */
function draw(node: RichNode): ComponentChildren {
  if (typeof node === 'string') return node;
  const [tag] = node;
  if (tag === 'a') {
    const [, href, ...children] = node;
    return (
      <a href={href} rel="noopener noreferrer" target={href.startsWith('https:') ? '_blank' : undefined}>
        {children.map(draw)}
      </a>
    );
  }
  const children = (node.slice(1) as RichNode[]).map(draw);
  return formats[tag] ? h(tag, null, children) : children;
}

/**
 * Content text the server parsed from its markdown subset (shared/rich-text.ts): text nodes, and
 * `strong`, `em`, `code` and links, never HTML.
 *
 * @example
 * <Rich text={['Send your ', ['strong', 'first'], ' invoice']} />
 */
export function Rich({ text }: { text: RichText }) {
  return <>{text.map(draw)}</>;
}
