/**
 * The one place that knows about the Waymark global. The pre-load snippet in index.html defines
 * `window.waymark` as a queue; the widget script replaces it when it loads. The type is declared here
 * rather than by augmenting `Window`, so it can never clash with the widget's own declaration.
 */

export type Traits = Record<string, string | number | boolean | null>;

export interface WaymarkGlobal {
  identify(userId: string, traits?: Traits): void;
  group(accountId: string, traits?: Traits): void;
  track(event: string, properties?: Traits): void;
  page(...args: unknown[]): void;
  reset(): void;
}

export function waymarkGlobal(): Partial<WaymarkGlobal> | undefined {
  return (globalThis as { waymark?: Partial<WaymarkGlobal> }).waymark;
}
