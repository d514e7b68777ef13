import { browserEnv, openerChannel } from '../env.ts';
import { createPicker, type Picker } from './picker.ts';

/**
 * The picker chunk's entry (dist/widget/picker-<hash>.js), which widget.js imports only on a preview
 * link that asks for picking (README, "Element picker"); no other page downloads it. `origin` is
 * the console's, from the link's `waymark_pick`: anything but an http(s) origin is refused, so the
 * picked selector can only ever be posted to an origin written out in full.
 *
 * @example
 * pick('https://waymark.acme.com') // the picker shows; "Use this" posts to the console and closes the tab
 */
export function pick(origin: string): Picker | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  if (url.origin !== origin || !/^https?:$/.test(url.protocol)) return null;
  const channel = openerChannel(origin);
  const env = browserEnv();
  return createPicker({
    send: channel.post,
    // A moment to read "Sent", and for the message to be on its way before the tab goes.
    done: () => env.setTimeout(channel.close, 600),
    url: () => env.page().url ?? '',
  });
}

/** What widget.js expects of the chunk it imports. */
export type PickerModule = { pick: typeof pick };
