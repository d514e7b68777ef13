import { z } from 'zod';
import { anchor } from './spotlight.ts';

/**
 * The element picker (README, "Element picker"): the console opens a preview link of the customer's
 * app with `waymark_pick=<the console's origin>` added; the widget there lets the author point at an
 * element and posts one `picked` message back to the window that opened it, at that origin only.
 */

/** The query parameter that asks a preview link's page for the picker; its value is the console's origin. */
export const pickParam = 'waymark_pick';

/** The `type` of the picker's message, which tells it apart from any other message the console receives. */
export const pickedType = 'waymark:picked';

/**
 * What the picker sends: the selector it proposed (or the author edited), the visible text that
 * narrows its matches when the author kept one (a spotlight anchor's `text`), how many elements of
 * that page the two match, and the page's address. `selector` and `text` follow a spotlight's
 * `anchor`, so a picked element is a valid anchor as it is.
 *
 * @example
 * picked.parse({ type: 'waymark:picked', selector: '[data-tour="export"]', matches: 1, url: 'https://app.acme.com/invoices' })
 */
export const picked = z.object({
  type: z.literal(pickedType),
  selector: anchor.shape.selector,
  text: anchor.shape.text,
  matches: z.number().int().min(0),
  url: z.url({ protocol: /^https?$/ }),
});
export type Picked = z.infer<typeof picked>;
