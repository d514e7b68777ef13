import { z } from 'zod';

/**
 * Bounds on the free-form JSON a client sends (traits, properties, context). SQLite's JSON functions
 * refuse text nested about a thousand levels deep, so a deeper value stored once would fail every
 * later query that reads it; and `json_patch`, which merges traits, costs the product of the two
 * objects' key counts (5,000 keys into 5,000: a second of the one writer's time). Mixpanel allows
 * 255 properties an event; nobody needs 32 levels.
 */
export const jsonBounds = { depth: 32, keys: 256 } as const;

/** Where a JSON value breaks the bounds (a path from the value), and how. */
export interface JsonShapeIssue {
  path: Array<string | number>;
  message: string;
}

/**
 * The first place where `value` nests more than `bounds.depth` objects or arrays deep (the value
 * itself at `level`), or holds an object with more than `bounds.keys` keys; null when it has none.
 * Recursion stops at the bound, so it is safe on a value parsed from any JSON text.
 *
 * @example
 * jsonShapeIssue({ a: { b: 1 } }, { depth: 1, keys: 10 })
 * // { path: ['a'], message: 'must not be nested more than 1 levels deep' }
 */
export function jsonShapeIssue(
  value: unknown,
  bounds: { depth: number; keys: number } = jsonBounds,
  level = 1,
): JsonShapeIssue | null {
  if (value === null || typeof value !== 'object') return null;
  if (level > bounds.depth) {
    return { path: [], message: `must not be nested more than ${bounds.depth} levels deep` };
  }
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((child, index) => [index, child])
    : Object.entries(value);
  if (!Array.isArray(value) && entries.length > bounds.keys) {
    return { path: [], message: `must not hold more than ${bounds.keys} keys (it holds ${entries.length})` };
  }
  for (const [key, child] of entries) {
    const issue = jsonShapeIssue(child, bounds, level + 1);
    if (issue) return { path: [key, ...issue.path], message: issue.message };
  }
  return null;
}

/** Adds the value's shape issue, if any, to a zod refinement, with a path to where it is. */
export function checkJsonShape(value: unknown, ctx: z.RefinementCtx): void {
  const issue = jsonShapeIssue(value);
  if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
}

/**
 * A free-form object of traits or properties, within `jsonBounds`.
 *
 * @example
 * dictionary.safeParse({ plan: 'pro', seats: 12 }).success // true
 */
export const dictionary = z.record(z.string(), z.unknown()).superRefine(checkJsonShape);
