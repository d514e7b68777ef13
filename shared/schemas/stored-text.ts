import type { z } from 'zod';

// With the `u` flag a paired surrogate is one code point, so only a half without its pair matches.
const unpairedSurrogate = /\p{Cs}/u;

/**
 * Refines a string that is stored and compared in SQL (an id, an event name) or written into a
 * JSON path (a property or trait name). SQLite ends text at NUL, so `u1\u0000x` would be stored as
 * `u1` and become another user, and a NUL inside a JSON path is an error; an unpaired surrogate is
 * encoded as U+FFFD, so two different ids would become one.
 *
 * @example
 * const eventName = storedText(z.string().min(1).max(200))
 * eventName.safeParse('a\u0000b').success // false
 */
export function storedText<T extends z.ZodType<string, unknown>>(schema: T): T {
  return schema.refine((text) => !text.includes('\u0000') && !unpairedSurrogate.test(text), {
    message: 'must not contain NUL (U+0000) or an unpaired surrogate',
  });
}
