/**
 * Thin, crash-proof wrapper around the Waymark snippet. If the widget is missing, blocked or broken,
 * calls are dropped and the app carries on. Page views are not sent from here: the widget records
 * them itself by watching pushState/popstate.
 */

import { type Traits, type WaymarkGlobal, waymarkGlobal } from './waymark';

type Method = 'identify' | 'group' | 'track' | 'reset';

function call<M extends Method>(method: M, ...args: Parameters<WaymarkGlobal[M]>): void {
  try {
    const waymark = waymarkGlobal();
    const fn = waymark?.[method] as ((...a: unknown[]) => void) | undefined;
    if (typeof fn === 'function') fn.apply(waymark, args);
  } catch (error) {
    console.warn(`[ledgerly] waymark.${method} failed`, error);
  }
}

export function identify(userId: string, traits: Traits): void {
  call('identify', userId, traits);
}

export function group(accountId: string, traits: Traits): void {
  call('group', accountId, traits);
}

export function track(event: string, properties: Traits = {}): void {
  call('track', event, properties);
}

export function reset(): void {
  call('reset');
}
