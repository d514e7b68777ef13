import fc from 'fast-check';
import { expect } from 'vitest';
import { errorCodes, type Problem, problem } from '../../shared/problem.ts';

/**
 * What the property-based tests share (test/server/*-properties.test.ts): run settings, arbitraries
 * for hostile input (odd text, odd numbers, deep and wide JSON, mutations of a valid body, bytes that
 * are not JSON), and the checks every answer must pass. fast-check prints the seed and the path of a
 * failure; `FC_SEED=<seed> FC_PATH=<path>` replays it (add `FC_SHRINK=1` to shrink it), `FC_RUNS=<factor>`
 * runs more (or fewer) cases.
 */

const factor = Number(process.env.FC_RUNS ?? 1);

/** fast-check's settings for `numRuns` cases, with a replayed seed and path from the environment. */
export function runs(numRuns: number): {
  numRuns: number;
  endOnFailure: boolean;
  seed?: number;
  path?: string;
} {
  const { FC_SEED: seed, FC_PATH: path, FC_SHRINK: shrink } = process.env;
  return {
    numRuns: Math.max(1, Math.round(numRuns * factor)),
    // A failure is reported as found, with its seed and path: shrinking it re-runs the property with
    // no bound in time, which once kept a CI worker busy for over ten minutes. FC_SHRINK=1 shrinks,
    // with FC_SEED and FC_PATH to replay it.
    endOnFailure: shrink !== '1',
    ...(seed ? { seed: Number(seed) } : {}),
    ...(path ? { path } : {}),
  };
}

/** A test's time limit, longer when FC_RUNS asks for more cases. */
export const timeLimit = (ms: number): number => ms * Math.max(1, factor);

/** A character that breaks naive code: NUL and other controls, lone surrogates, separators, quotes. */
export const oddCharacter: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\u0001',
    '\u0007',
    '\b',
    '\t',
    '\n',
    '\r',
    '\u001b',
    '\u001f',
    '\u007f',
    '\u0085',
    '\u00a0',
    '\u2028',
    '\u2029',
    '\u200b',
    '\u202e',
    '\ufeff',
    '\ufffd',
    '\uffff',
    '"',
    "'",
    '`',
    '\\',
    '/',
    '~',
    '%',
    '?',
    '#',
    '&',
    '=',
    '.',
    '*',
    '$',
    '{',
    '<',
    '💥',
    '👩‍👩‍👧',
    'é',
    '𝕏',
  ),
  // A half of a surrogate pair without the other half: valid in a JS string and in JSON text
  // (`"\ud800"`), not in UTF-8.
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** Strings a careless parser trips on: odd characters, numbers and keywords as text, long runs. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: oddCharacter, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'NaN',
      'Infinity',
      '-Infinity',
      '1e309',
      '-0',
      '0x10',
      '9007199254740993',
      'null',
      'undefined',
      'true',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      '$waymark.survey_answered',
      '$waymark.nope',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2026-02-30T25:61:61Z',
      '+275760-09-13T00:00:00.000Z',
      '^/(a+)+$',
      '/**a**a**a**b',
      "'; DROP TABLE events; --",
      '$.a[0]',
      '../../etc/passwd',
      'javascript:alert(1)',
      '<script>alert(1)</script>',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', ' ', '\u0000', 'é', '💥', '\ud800'), fc.integer({ min: 300, max: 70_000 }))
      .map(([text, times]) => text.repeat(times)),
  },
);

/** Numbers at the edges (JSON text cannot hold NaN or Infinity: they become null). */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1e21,
    1e308,
    -1e308,
    5e-324,
    2 ** 31,
    -(2 ** 31),
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Date.parse('2026-11-23T12:00:00.000Z'),
  ),
);

/**
 * Number literals that JSON.parse reads but no JSON.stringify writes (`1e999` is Infinity, 31 digits
 * lose precision). A mutation puts one in as the marker string `@@raw:<literal>@@`, which `toJsonText`
 * writes out as the bare literal.
 */
export const rawNumber: fc.Arbitrary<string> = fc
  .constantFrom('1e999', '-1e999', '-0', '1E400', '1e-400', '123456789012345678901234567890', '0.1e1', '-0.0')
  .map((literal) => `@@raw:${literal}@@`);

/** JSON text for a value, with `rawNumber` markers replaced by their bare literals. */
export function toJsonText(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/"@@raw:([-+.\dEe]+)@@"/g, '$1');
}

/**
 * Objects and arrays `depth` levels deep (a JSON parser and a recursive validator's worst case).
 * At most 1,500 levels, so that a few nested mutations stay within what JSON.stringify can write
 * (about 4,000 levels on Node 20); deeper text is sent as text (see `notJson`).
 */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 30, max: 1500 }), fc.boolean())
  .map(([depth, arrays]) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
    return value;
  });

/** One object with hundreds or thousands of keys. */
export const wideValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 200, max: 6000 }), fc.constantFrom<unknown>(1, 'x', null, {}))
  .map(([keys, leaf]) => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, leaf])));

/** Any JSON value, favouring the shapes that break servers. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 4, stringUnit: oddCharacter }) },
  { weight: 2, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': null }) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: wideValue },
  { weight: 1, arbitrary: rawNumber },
);

/** A small value to put in place of a field: of another type, usually. */
const replacement: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2, stringUnit: oddCharacter }) },
  { weight: 3, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 2, arbitrary: rawNumber },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, [], {}, '') },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: wideValue },
);

type Path = Array<string | number>;

/** Every place in a JSON value (the value itself first), as paths. */
export function placesIn(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  // Bounded: a wide or deep value inserted by an earlier mutation need not be walked whole.
  if (out.length > 2000 || path.length > 40 || value === null || typeof value !== 'object') return out;
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((child, index) => [index, child])
    : Object.entries(value);
  for (const [key, child] of entries) placesIn(child, [...path, key], out);
  return out;
}

/** One change to a valid body: where (an index into its places) and what. */
export interface Mutation {
  at: number;
  op: 'drop' | 'replace' | 'insertCharacter' | 'longText' | 'nest' | 'addKey' | 'repeat';
  value: unknown;
  text: string;
  character: string;
  position: number;
  depth: number;
  times: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('drop', 'replace', 'insertCharacter', 'longText', 'nest', 'addKey', 'repeat'),
  value: replacement,
  text: oddString,
  character: oddCharacter,
  position: fc.nat(),
  depth: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 30, max: 600 })),
  times: fc.oneof(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 490, max: 520 })),
});

/** One to three mutations of a body. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 3 });

/**
 * The body with the mutations applied, in order (a copy: `valid` is not changed). Each picks a place
 * of the body as it is by then, and drops it, replaces it with a value of another type, inserts an
 * odd character into it, replaces it with long text, nests it deep, adds an odd key beside it, or
 * repeats an array's elements (past a limit such as 500 messages).
 */
export function mutate(valid: unknown, changes: readonly Mutation[]): unknown {
  let body: unknown = structuredClone(valid);
  for (const change of changes) {
    const places = placesIn(body);
    const path = places[change.at % places.length] ?? [];
    const current = valueAt(body, path);
    let next: unknown = current;
    switch (change.op) {
      case 'drop':
        if (path.length === 0) next = undefined;
        else {
          const parent = valueAt(body, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
          const key = path.at(-1) as string | number;
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
          continue;
        }
        break;
      case 'replace':
        next = change.value;
        break;
      case 'insertCharacter': {
        const text = typeof current === 'string' ? current : String(current);
        const at = change.position % (text.length + 1);
        next = text.slice(0, at) + change.character + text.slice(at);
        break;
      }
      case 'longText':
        next = change.text;
        break;
      case 'nest':
        for (let i = 0; i < change.depth; i++) next = i % 2 ? [next] : { a: next };
        break;
      case 'addKey':
        if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
          next = { ...current, [change.text]: change.value };
        } else next = { [change.text]: change.value };
        break;
      case 'repeat':
        // The same value in each place (JSON text writes it out each time): a copy of a deep value
        // would overflow the stack, and a later mutation of one place may as well change them all.
        // Bounded so that the body's text stays far under V8's longest string, however repeats nest.
        {
          const each = (JSON.stringify(Array.isArray(current) ? current[0] : current) ?? 'null').length + 1;
          const times = Math.max(2, Math.min(change.times, Math.floor(unparsedAbove / each)));
          next = Array.isArray(current)
            ? Array.from({ length: times }, (_, i) => current[i % current.length])
            : Array.from({ length: times }, () => current);
        }
        break;
    }
    body = setAt(body, path, next);
  }
  return body;
}

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
    value,
  );
}

function setAt(root: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const parent = valueAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1) as string | number] = next;
  return root;
}

/** Odd characters put into the text of a body: where (indexes into its text places) and what. */
export const textChanges: fc.Arbitrary<Array<{ at: number; position: number; character: string }>> = fc.array(
  fc.record({ at: fc.nat(), position: fc.nat(), character: oddCharacter }),
  { minLength: 1, maxLength: 4 },
);

/**
 * The body with odd characters inserted into some of its strings (a copy): its shape stays valid,
 * so these reach storage, where NUL and lone surrogates are at risk (SQLite ends text at NUL, and
 * writes a lone surrogate as U+FFFD).
 */
export function withOddText(
  valid: unknown,
  changes: ReadonlyArray<{ at: number; position: number; character: string }>,
): unknown {
  let body: unknown = structuredClone(valid);
  for (const change of changes) {
    const texts = placesIn(body).filter((path) => typeof valueAt(body, path) === 'string');
    const path = texts[change.at % Math.max(1, texts.length)];
    if (!path) return body;
    const text = valueAt(body, path) as string;
    const at = change.position % (text.length + 1);
    body = setAt(body, path, text.slice(0, at) + change.character + text.slice(at));
  }
  return body;
}

/**
 * Text that is not JSON, or barely: bytes that are not UTF-8, a valid body cut short or with a
 * character inserted, JavaScript-isms (NaN, comments, trailing commas, single quotes), a BOM.
 */
export function notJson(validText: string): fc.Arbitrary<Sent> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => new Uint8Array(bytes)),
    fc.string({ unit: oddCharacter, maxLength: 200 }),
    fc.nat().map((at) => validText.slice(0, at % Math.max(1, validText.length))),
    fc.tuple(fc.nat(), oddCharacter).map(([at, character]) => {
      const cut = at % (validText.length + 1);
      return validText.slice(0, cut) + character + validText.slice(cut);
    }),
    fc.constantFrom(
      '',
      ' ',
      'NaN',
      '{"a": NaN}',
      '{"a": Infinity}',
      "{'a': 1}",
      '{"a": 1,}',
      '[1,]',
      '{"a": 1} // comment',
      '/* */ {}',
      '{"a": 1}{"b": 2}',
      '{"a": undefined}',
      '{"a": 0x10}',
      '{"a": .5}',
      '{"a": 01}',
      '"\\ud800',
      '\u0000',
      '{"__proto__": {"admin": true}}',
      '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
      '{"a":"\\x00"}',
      `\ufeff${validText}`,
      `${validText}\u0000`,
      validText.replaceAll('"', "'"),
    ),
    fc
      .tuple(fc.integer({ min: 1000, max: 100_000 }), fc.constantFrom('[', '{"a":'))
      .map(([depth, open]) =>
        open === '[' ? '['.repeat(depth) + ']'.repeat(depth) : `${open.repeat(depth)}1${'}'.repeat(depth)}`,
      ),
  );
}

/** A request body as sent: its text when it is text, for locating pointers. */
export type Sent = string | Uint8Array<ArrayBuffer>;

/**
 * Whether a JSON pointer names a place in `input`: every step but the last must exist, and the last
 * must be an existing array index or a key of an object (a missing key: "Required").
 */
export function pointsInto(pointer: string, input: unknown): boolean {
  if (pointer === '') return true;
  if (!pointer.startsWith('/')) return false;
  const steps = pointer
    .slice(1)
    .split('/')
    .map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'));
  let node = input;
  for (const [i, step] of steps.entries()) {
    if (node === null || typeof node !== 'object') return false;
    const last = i === steps.length - 1;
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(step) || Number(step) >= node.length) return false;
      node = node[Number(step)];
    } else {
      if (!last && !Object.hasOwn(node, step)) return false;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return true;
}

/** The JSON a request carried, or undefined when it was not JSON. */
/** Bodies longer than this (16 MB, 16 times the largest body limit) are not parsed by the tests. */
const unparsedAbove = 16 * 1024 * 1024;

export function parsedBody(sent: Sent | undefined): unknown {
  if (sent === undefined) return undefined;
  // Repeats of repeats write their value out hundreds of millions of times: text far over every body
  // limit, which the server refuses by its size (413) without parsing it. Parsed here, such a text
  // took the test's heap past 4 GB (a crashed test worker, now and then, in CI).
  if ((typeof sent === 'string' ? sent.length : sent.byteLength) > unparsedAbove) return undefined;
  try {
    // As the server reads a body: UTF-8 decoding drops a leading byte order mark.
    return JSON.parse(
      new TextDecoder().decode(typeof sent === 'string' ? new TextEncoder().encode(sent) : sent),
    );
  } catch {
    return undefined;
  }
}

const codes = new Set<string>(Object.values(errorCodes));

/**
 * Checks an answer to hostile input: never a 5xx; a 4xx is problem+json with a stable code other
 * than `internal_error`, its own status, and for a validation failure one error or more, each with
 * a pointer into `input` (the request's JSON, or its query) when `input` is given. Returns the
 * problem (null for a 2xx or 3xx).
 */
export async function checkAnswer(res: Response, label: string, input?: unknown): Promise<Problem | null> {
  const text = await res.clone().text();
  const what = `${label}: ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  if (res.status < 400) return null;
  expect(res.headers.get('content-type'), what).toBe('application/problem+json');
  const parsed = problem.safeParse(JSON.parse(text));
  expect(parsed.success, what).toBe(true);
  const body = parsed.data as Problem;
  expect(body.status, what).toBe(res.status);
  expect(codes.has(body.code) && body.code !== errorCodes.internal, what).toBe(true);
  if (body.code === errorCodes.validationFailed) {
    expect(body.errors?.length, what).toBeGreaterThan(0);
    if (input !== undefined) {
      for (const error of body.errors ?? []) {
        expect(pointsInto(error.pointer, input), `${what}: pointer ${JSON.stringify(error.pointer)}`).toBe(
          true,
        );
      }
    }
  }
  return body;
}

/**
 * A path segment as a raw client may send it: percent-encoded, with an unpaired surrogate as the
 * UTF-8 bytes a lenient encoder writes for it (encodeURIComponent refuses it).
 */
export function encodeSegment(text: string): string {
  return [...text]
    .map((character) => {
      const code = character.charCodeAt(0);
      if (character.length === 1 && code >= 0xd800 && code <= 0xdfff) {
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((byte) => `%${byte.toString(16).toUpperCase()}`)
          .join('');
      }
      return encodeURIComponent(character);
    })
    .join('');
}
