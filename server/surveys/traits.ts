import { type SQL, sql } from 'drizzle-orm';
import { accounts, users } from '../db/schema.ts';

/** A trait that results are split by or responses filtered by: the respondent's or their account's. */
export interface Trait {
  on: 'user' | 'account';
  /** SQLite JSON path, e.g. `$."plan"`. */
  path: string;
}

/** `account.plan` as the account's `plan`; an unprefixed name is the user's. */
export function traitOf(name: string): Trait {
  const match = /^(user|account)\.(.+)$/.exec(name);
  const [on, trait] = match ? [match[1] as Trait['on'], match[2] as string] : (['user', name] as const);
  const labels = trait.split('.').map((part) => `."${part}"`);
  return { on, path: `$${labels.join('')}` };
}

/**
 * The trait as JSON text (`"pro"`, `3`, `true`), NULL when it is missing, from the users and
 * accounts rows joined to the responses (see latestCounts and listResponses).
 */
export const traitJson = (trait: Trait): SQL<string | null> =>
  sql`${trait.on === 'user' ? users.traits : accounts.traits} -> ${trait.path}`;

/** A trait value as a segment's label, which is also what `value` filters the verbatims by. */
export const labelOf = (value: unknown): string | null =>
  value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);

/** An account's `name` trait from its JSON text: null unless it is a string. */
export function accountNameOf(json: string | null | undefined): string | null {
  const name: unknown = json == null ? null : JSON.parse(json);
  return typeof name === 'string' ? name : null;
}
