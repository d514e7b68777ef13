import { cooldownEnd } from '../../shared/prompt-policy.ts';
import type { ViewHost } from '../view-loader.ts';
import { recall } from './memory.ts';

/** Something that wants the screen for a while: the checklist's open panel, a survey, a spotlight. */
export interface Prompt {
  /** Among waiting prompts the highest goes first; equal ones in the order they asked. */
  priority: number;
  /**
   * The content id of a prompt the workspace cooldown applies to (a survey, a spotlight that opens
   * by itself): it waits until `promptCooldownHours` have passed since another such prompt showed,
   * and its showing starts the cooldown. Checklists have none.
   */
  cooldownId?: string;
  /** The screen is this prompt's: show now. */
  show(): void;
  /**
   * Something the user asked for took the screen: step aside, keeping your state. The prompt waits
   * again and `show` is called once the screen is free.
   */
  hide(): void;
}

/**
 * One prompt at a time. A prompt that opens by itself `request`s the screen and waits; what the user
 * opens `take`s it at once (the prompt showing, if any, is hidden and waits again); `release` gives
 * it up or stops waiting. All calls are idempotent, so a view may call them on every draw.
 */
export interface Scheduler {
  request(prompt: Prompt): void;
  take(prompt: Prompt): void;
  release(prompt: Prompt): void;
  /** Another user or another cooldown: prompts waiting on the cooldown are looked at again. */
  update(): void;
}

/** setTimeout's longest delay (about 24.8 days); a longer wait is cut into several. */
const maxDelayMs = 2 ** 31 - 1;

/**
 * The scheduler the checklist, survey and spotlight views share (widget/view/main.ts makes one per
 * mount). The last prompt of the cooldown's kind is recorded in the widget's store, per user, as
 * `${prefix}:prompt:<user>`: the server applies the cooldown too, but may not have received that
 * prompt's `shown` event yet, and a cached content response still offers what it would not.
 *
 * @example
 * const scheduler = createScheduler(host, () => ({ user: 'u_42', cooldownHours: 72 }))
 * scheduler.request({ priority: 50, cooldownId: 'sv_nps', show, hide })
 */
export function createScheduler(
  host: Pick<ViewHost, 'env' | 'store' | 'prefix'>,
  settings: () => { user: string; cooldownHours: number } | undefined,
): Scheduler {
  const { env, store } = host;
  let holder: Prompt | undefined;
  let waiting: Prompt[] = [];
  let timer: unknown;
  const key = () => `${host.prefix}:prompt:${settings()?.user ?? ''}`;

  /** When `prompt` may show: the end of the cooldown after the last other prompt of its kind, else 0. */
  const readyAt = (prompt: Prompt) => {
    if (prompt.cooldownId === undefined) return 0;
    // A damaged record reads as `{}`: it says nothing.
    const last = recall<{ at?: unknown; id?: unknown }>(store, key());
    return typeof last.at === 'number' && last.id !== prompt.cooldownId
      ? cooldownEnd(last.at, Number(settings()?.cooldownHours)) // NaN without a setting: no wait
      : 0;
  };

  const grant = () => {
    env.clearTimeout(timer);
    timer = undefined;
    if (holder) return;
    const now = env.now();
    let soonest = Infinity;
    for (const prompt of waiting) {
      const at = readyAt(prompt);
      if (at > now) {
        soonest = Math.min(soonest, at);
        continue;
      }
      waiting = waiting.filter((p) => p !== prompt);
      holder = prompt;
      if (prompt.cooldownId !== undefined) {
        store.set(key(), JSON.stringify({ at: now, id: prompt.cooldownId }));
      }
      return prompt.show();
    }
    if (soonest < Infinity) timer = env.setTimeout(grant, Math.min(soonest - now, maxDelayMs));
  };
  /** Waits in priority order; `first` puts it before the prompts of its priority (it was showing). */
  const wait = (prompt: Prompt, first: boolean) => {
    const others = waiting.filter((p) => p !== prompt);
    // Array sort is stable: among equal priorities, the order of arrival stands.
    waiting = (first ? [prompt, ...others] : [...others, prompt]).sort((a, b) => b.priority - a.priority);
  };

  return {
    request(prompt) {
      if (holder === prompt || waiting.includes(prompt)) return;
      wait(prompt, false);
      grant();
    },
    take(prompt) {
      if (holder === prompt) return;
      waiting = waiting.filter((p) => p !== prompt);
      const previous = holder;
      holder = prompt;
      if (previous) {
        wait(previous, true);
        previous.hide();
      }
    },
    release(prompt) {
      waiting = waiting.filter((p) => p !== prompt);
      if (holder !== prompt) return;
      holder = undefined;
      grant();
    },
    update: grant,
  };
}
