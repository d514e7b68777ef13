import type { MessageInput } from '../../shared/schemas/message.ts';

/**
 * A synthetic customer base for Ledgerly, the demo product: what a real Waymark workspace holds after
 * months of use, deterministic from a seed. The demo seeds a small one; `npm run seed:large` a big
 * one, for benchmarks and the health score.
 *
 * What makes it believable (and hard on the server):
 * - Usage is Pareto-distributed: the top 1% of accounts hold about a third of the events.
 * - Accounts have a story: some onboard fast, some slowly, some never reach value, some are churning
 *   (usage falling to a trickle lately), some growing (usage rising), and a few pay late.
 * - Account traits as CS and billing send them: plan, ARR, seats, renewal date, open tickets,
 *   payment status.
 * - The widget's own events: checklists shown, opened, dismissed; tours started and abandoned, with
 *   a target that is hidden on phones; NPS shown to users 30+ days in, answered by 15-35% of them.
 */

const day = 86_400_000;

/** A published piece of content the history refers to (its widget events name it). */
export interface ContentRef {
  contentId: string;
  version: number;
}

export interface SyntheticOptions {
  seed: number;
  accounts: number;
  users: number;
  /** About this many track and page events in all (identify, group and widget events come on top). */
  events: number;
  /** How far back the oldest account goes. */
  days: number;
  now: number;
  /** The start of every message id (`<prefix>-<account>-<n>`) and response id; `syn` by default. */
  idPrefix?: string;
  content: {
    survey?: ContentRef;
    /** `items`: those clicked; `manualItems`: those ticked by hand (`checklist_item_checked`). */
    checklist?: ContentRef & { items: string[]; manualItems?: string[] };
    tour?: ContentRef & { steps: string[] };
  };
}

export const archetypes = ['fast', 'slow', 'never', 'churning', 'growing'] as const;
export type Archetype = (typeof archetypes)[number];

/** One account's history: its messages in time order. */
export interface SyntheticAccount {
  id: string;
  archetype: Archetype;
  messages: MessageInput[];
}

/**
 * A random source (sfc32 seeded through splitmix32): fast, and the same numbers for the same seed on
 * every machine.
 *
 * @example
 * const rand = random(42); rand() // 0 <= x < 1, always the same first value for seed 42
 */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let [a, b, c, d] = [split(), split(), split(), split()];
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** Pareto exponent of usage by account rank (within the top 1% and within the rest). */
const paretoAlpha = 1.3;

const plans = [
  { plan: 'free', share: 0.25, arr: [0, 0], seats: [1, 3] },
  { plan: 'starter', share: 0.35, arr: [600, 3_000], seats: [2, 6] },
  { plan: 'growth', share: 0.28, arr: [3_000, 24_000], seats: [5, 25] },
  { plan: 'enterprise', share: 0.12, arr: [24_000, 180_000], seats: [20, 200] },
] as const;

const archetypeShares: Record<Archetype, number> = {
  fast: 0.34,
  slow: 0.28,
  never: 0.14,
  churning: 0.12,
  growing: 0.12,
};

/** The demo's milestones, in the order a healthy account reaches them. */
export const milestoneEvents = [
  'Customer Created',
  'Invoice Sent',
  'Teammate Invited',
  'Bank Account Connected',
] as const;

/** Everyday product events after onboarding, with relative frequency. */
const usageEvents: Array<[string, number]> = [
  ['Invoice Created', 14],
  ['Invoice Sent', 10],
  ['Invoice Paid', 8],
  ['Customer Created', 5],
  ['Payment Reminder Sent', 4],
  ['Report Viewed', 6],
  ['Report Exported', 2],
  ['Expense Added', 7],
  ['Receipt Uploaded', 5],
  ['Bank Sync Completed', 6],
  ['Tax Rate Added', 1],
  ['Recurring Invoice Created', 2],
  ['Estimate Sent', 3],
  ['Product Added', 2],
  ['Credit Note Issued', 1],
  ['Client Portal Viewed', 3],
  ['Integration Connected', 1],
  ['Settings Updated', 2],
  ['Search Performed', 6],
  ['CSV Imported', 1],
  ['Dashboard Viewed', 9],
  ['Teammate Invited', 1],
];
/** What an account that never reached value still does: looks around, drafts, never sends. */
const stalledEvents = usageEvents.filter(
  ([event]) => !(milestoneEvents as readonly string[]).includes(event),
);
/** The demo product's pages (demo/src/lib/routes.ts), where its spotlights' page rules point. */
const pages = [
  '/demo',
  '/demo/invoices',
  '/demo/invoices/new',
  '/demo/customers',
  '/demo/team',
  '/demo/settings',
];

const nameParts = {
  first: [
    'North',
    'Blue',
    'Pine',
    'Atlas',
    'Juniper',
    'Kestrel',
    'Oak',
    'Meridian',
    'Sun',
    'Copper',
    'Harbor',
    'Cedar',
    'Silver',
    'Maple',
    'Granite',
    'River',
    'Summit',
    'Willow',
    'Iron',
    'Amber',
  ],
  second: [
    'wind',
    'crest',
    'field',
    'stone',
    'bridge',
    'line',
    'gate',
    'brook',
    'ridge',
    'works',
    'point',
    'lake',
  ],
  kind: [
    'Traders',
    'Studio',
    'Dental',
    'Logistics',
    '& Co',
    'Labs',
    'Bakery',
    'Legal',
    'Yoga',
    'Electric',
    'Consulting',
    'Builders',
    'Clinic',
    'Foods',
    'Media',
  ],
  industry: ['retail', 'services', 'health', 'logistics', 'software', 'construction', 'hospitality'],
  people: [
    'Ava',
    'Noah',
    'Mia',
    'Liam',
    'Zoe',
    'Omar',
    'Ines',
    'Kai',
    'Lena',
    'Ravi',
    'Sara',
    'Tom',
    'Yuki',
    'Ana',
    'Femi',
    'Jon',
  ],
};

const comments: Record<'detractor' | 'passive' | 'promoter', string[]> = {
  detractor: [
    'Bank sync breaks every other week and support takes days to answer.',
    'Too expensive for what we use.',
    'The invoice editor is slow with many line items.',
    'We still cannot send recurring invoices in our currency.',
  ],
  passive: [
    'Does the job. Recurring invoices would make it great.',
    'Good, but the reports are too basic.',
    'Fine for invoices, weak for expenses.',
  ],
  promoter: [
    'We get paid twice as fast since we switched.',
    'Simple, clean, and the team loves it.',
    'Best invoicing tool we have used.',
    'The client portal saves us hours every month.',
  ],
};

/**
 * The history, one account at a time (an account's messages fit in memory; the whole history may
 * not): identify and group calls, onboarding, everyday usage, widget events.
 *
 * @example
 * for (const account of syntheticHistory({ seed: 42, accounts: 100, users: 800, events: 50_000, days: 180, now, content: {} })) {
 *   await ingest(account.messages)
 * }
 */
export function* syntheticHistory(options: SyntheticOptions): Generator<SyntheticAccount> {
  const rand = random(options.seed);
  const n = options.accounts;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);

  // Usage weight by rank (Pareto quantiles), scaled so that the top 1% of accounts hold a third of it
  // at any size (a sample of a few thousand accounts truncates the tail), dealt in random order.
  const ranked = Array.from({ length: n }, (_, rank) => ((rank + 0.5) / n) ** (-1 / paretoAlpha));
  const topCount = Math.max(1, Math.round(n / 100));
  const topSum = ranked.slice(0, topCount).reduce((sum, w) => sum + w, 0);
  const restSum = ranked.slice(topCount).reduce((sum, w) => sum + w, 0) || 1;
  const order = Array.from({ length: n }, (_, rank) => rank);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const weights = order.map((rank) =>
    rank < topCount ? ((ranked[rank] as number) / topSum) * 1 : ((ranked[rank] as number) / restSum) * 2,
  );
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  // Users follow usage less steeply than events do: a big account has more people, and busier ones.
  const userWeights = weights.map((w) => Math.sqrt(w));
  const totalUserWeight = userWeights.reduce((sum, w) => sum + w, 0);
  const spareUsers = Math.max(0, options.users - n);

  for (let a = 0; a < n; a++) {
    const weight = weights[a] as number;
    // The biggest accounts are busy ones: none of them stalled in onboarding.
    const top = (order[a] as number) < topCount;
    // Accounts sign up over the whole period, a few of them in the last weeks (still onboarding).
    const createdAt = Math.floor(options.now - between(2, options.days) * day);
    const ageDays = (options.now - createdAt) / day;
    // An account needs a history to fall from: the young ones are not churning yet.
    const archetype = weighted(rand, {
      ...archetypeShares,
      ...(top ? { never: 0 } : {}),
      ...(ageDays < 75 ? { churning: 0 } : {}),
    });
    const plan = weighted(
      rand,
      Object.fromEntries(
        plans.map((p) => [p.plan, p.share * (weight > 3 ? (p.plan === 'enterprise' ? 6 : 1) : 1)]),
      ),
    );
    const planInfo = plans.find((p) => p.plan === plan) ?? plans[0];
    const memberCount = 1 + Math.floor((spareUsers * (userWeights[a] as number)) / totalUserWeight + rand());
    const eventCount = Math.round((options.events * weight) / totalWeight);
    const id = `acc_${String(a + 1).padStart(6, '0')}`;
    const churnedAt =
      archetype === 'churning' ? options.now - Math.min(ageDays * 0.3, between(5, 40)) * day : options.now;

    const timed: Array<{ t: number; message: MessageInput }> = [];
    let seq = 0;
    const push = (m: Record<string, unknown>, time: number) => {
      const t = Math.min(time, options.now - 60_000);
      const messageId = `${options.idPrefix ?? 'syn'}-${a + 1}-${++seq}`;
      const message = { ...m, messageId, timestamp: new Date(t).toISOString() };
      timed.push({ t, message: message as MessageInput });
    };

    const seats = Math.max(memberCount, Math.round(between(planInfo.seats[0], planInfo.seats[1])));
    const arr = Math.round(between(planInfo.arr[0], planInfo.arr[1]) / 100) * 100;
    const renewal = createdAt + Math.ceil(ageDays / 365 + 0.001) * 365 * day;
    const name = `${pick(nameParts.first)}${pick(nameParts.second)} ${pick(nameParts.kind)}`;
    const domain = `${name.toLowerCase().replace(/[^a-z]+/g, '')}${a + 1}.example`;
    const troubled = archetype === 'churning' || archetype === 'never';
    const traits = {
      name,
      plan,
      arr,
      seats,
      industry: pick(nameParts.industry),
      createdAt: new Date(createdAt).toISOString(),
      renewalDate: new Date(renewal).toISOString().slice(0, 10),
      openTickets: Math.floor(rand() * (troubled ? 7 : 2.5)),
      paymentStatus: rand() < (troubled ? 0.12 : 0.03) ? pick(['past_due', 'failed'] as const) : 'current',
    };

    // Members join over the account's first weeks; the first is the admin who signed up.
    const members = Array.from({ length: memberCount }, (_, m) => {
      const joined = m === 0 ? createdAt : createdAt + Math.min(ageDays * 0.8, between(0, 60)) * day;
      const first = pick(nameParts.people);
      return {
        userId: `usr_${a + 1}_${m + 1}`,
        joined,
        activity: m === 0 ? 3 : rand() ** 2 * 2 + 0.1,
        traits: {
          name: `${first} ${name.split(' ')[0]}`,
          email: `${first.toLowerCase()}.${m + 1}@${domain}`,
          role: m === 0 ? 'admin' : pick(['member', 'member', 'accountant']),
          createdAt: new Date(joined).toISOString(),
        },
      };
    });
    const totalActivity = members.reduce((sum, m) => sum + m.activity, 0);
    const someone = (after: number) => {
      let r = rand() * totalActivity;
      for (const member of members) {
        r -= member.activity;
        if (r <= 0 && member.joined <= after) return member;
      }
      return members[0] as (typeof members)[number];
    };

    for (const member of members) {
      push({ type: 'identify', userId: member.userId, traits: member.traits }, member.joined);
      push({ type: 'group', userId: member.userId, groupId: id, traits }, member.joined + 1_000);
    }

    // Onboarding: when each milestone is first reached, by archetype (never: stalls after a customer).
    const delays: Record<Archetype, [number, number, number, number] | null> = {
      fast: [between(0, 0.5), between(0.2, 3), between(1, 7), between(2, 10)],
      growing: [between(0, 1), between(0.5, 5), between(1, 10), between(3, 14)],
      slow: [between(1, 6), between(8, 40), between(10, 60), between(15, 80)],
      churning: [between(0, 3), between(2, 20), between(5, 40), between(10, 60)],
      never: null,
    };
    const steps = delays[archetype];
    const reached: number[] = [];
    milestoneEvents.forEach((event, i) => {
      const delay = steps ? steps[i] : i === 0 && rand() < 0.6 ? between(0, 10) : undefined;
      // Not every account does the optional steps; none does them before it exists long enough.
      if (delay === undefined || (i >= 2 && rand() < (i === 2 ? 0.35 : 0.45))) return;
      const t = createdAt + delay * day;
      if (t >= options.now) return;
      reached.push(t);
      push(
        {
          type: 'track',
          userId: someone(t).userId,
          event,
          properties: event === 'Invoice Sent' ? { amount: Math.round(between(80, 5_000)) } : {},
          context: { groupId: id },
        },
        t,
      );
    });

    // Everyday usage from first value on (or from sign-up, thinly, for those who never get there).
    const valueAt = steps ? (reached[1] ?? createdAt) : createdAt;
    const end = Math.max(valueAt + day, archetype === 'churning' ? churnedAt : options.now);
    const usage = archetype === 'never' ? Math.round(eventCount * 0.05) : eventCount;
    const times: number[] = [];
    for (let i = 0; i < usage; i++) {
      const u = rand();
      // Growing: density rising over time; churning: falling; the rest: steady.
      const f = archetype === 'growing' ? Math.sqrt(u) : archetype === 'churning' ? 1 - Math.sqrt(1 - u) : u;
      times.push(valueAt + f * (end - valueAt));
    }
    // A churning account still shows a trickle of life after its fall.
    if (archetype === 'churning') {
      for (let i = 0; i < Math.min(20, usage / 50); i++) times.push(between(churnedAt, options.now));
    }
    times.sort((x, y) => x - y);
    for (const t of times) {
      if (t >= options.now) continue;
      const member = someone(t);
      if (rand() < 0.3) {
        const path = pick(pages);
        push(
          {
            type: 'page',
            userId: member.userId,
            name: path,
            properties: { path },
            context: { page: { path }, groupId: id },
          },
          t,
        );
      } else {
        const event = weightedPair(rand, archetype === 'never' ? stalledEvents : usageEvents);
        push(
          {
            type: 'track',
            userId: member.userId,
            event,
            properties: event.startsWith('Invoice') ? { amount: Math.round(between(40, 8_000)) } : {},
          },
          t,
        );
      }
    }

    widgetEvents(options, { rand, push, members, archetype, reached, id, createdAt, churnedAt });
    timed.sort((x, y) => x.t - y.t);
    yield { id, archetype, messages: timed.map((entry) => entry.message) };
  }
}

/** Checklist, tour and NPS events for an account's members. */
function widgetEvents(
  options: SyntheticOptions,
  account: {
    rand: () => number;
    push: (m: Record<string, unknown>, t: number) => void;
    members: Array<{ userId: string; joined: number }>;
    archetype: Archetype;
    reached: number[];
    id: string;
    createdAt: number;
    churnedAt: number;
  },
): void {
  const { rand, push, members, archetype } = account;
  const { checklist, tour, survey } = options.content;
  const widget = (userId: string, name: string, properties: Record<string, unknown>, t: number) =>
    push(
      { type: 'track', userId, event: `$waymark.${name}`, properties, context: { groupId: account.id } },
      t,
    );

  for (const member of members) {
    const t0 = member.joined + 5 * 60_000;
    // Onboarding is for new accounts: people who join an account after its first month are not shown it.
    if (checklist && member.joined < account.createdAt + 30 * day) {
      const ref = { contentId: checklist.contentId, version: checklist.version };
      widget(member.userId, 'checklist_shown', ref, t0);
      const opened = rand() < 0.7;
      if (opened) widget(member.userId, 'checklist_opened', ref, t0 + 10_000);
      const clicks = Math.floor(rand() * (archetype === 'never' ? 2 : 4));
      for (let i = 0; i < clicks; i++) {
        const itemId = checklist.items[i % checklist.items.length] ?? 'item';
        widget(member.userId, 'checklist_item_clicked', { ...ref, itemId }, t0 + (20 + i * 30) * 1_000);
      }
      // The optional, manual items: ticked by a few of those who opened the list.
      for (const itemId of checklist.manualItems ?? []) {
        if (opened && rand() < (archetype === 'never' ? 0.1 : 0.3))
          widget(member.userId, 'checklist_item_checked', { ...ref, itemId }, t0 + between(rand, 1, 7) * day);
      }
      if (rand() < (archetype === 'never' ? 0.5 : 0.25))
        widget(member.userId, 'checklist_dismissed', ref, t0 + 3_600_000);
      else if (account.reached.length >= 4) {
        widget(member.userId, 'checklist_completed', ref, Math.max(t0, account.reached[3] ?? t0) + 60_000);
      }
    }
    if (tour) {
      const ref = { contentId: tour.contentId, version: tour.version };
      const t1 = t0 + 120_000;
      widget(member.userId, 'spotlight_shown', ref, t1);
      // People drop off step by step; on phones the second step's target is hidden in the collapsed
      // menu, and the step shows in the middle of the screen (the demo tour's `whenHidden: 'center'`).
      let stepIndex = 0;
      for (const stepId of tour.steps) {
        widget(
          member.userId,
          'spotlight_step_viewed',
          { ...ref, stepId, stepIndex },
          t1 + stepIndex * 15_000,
        );
        if (stepIndex === 1 && rand() < 0.06) {
          widget(
            member.userId,
            'spotlight_target_not_found',
            { ...ref, stepId, selector: '[data-tour="nav-invoices"]', url: '/demo', outcome: 'centered' },
            t1 + stepIndex * 15_000 + 5_000,
          );
        }
        if (rand() < 0.22) {
          widget(member.userId, 'spotlight_dismissed', { ...ref, stepId }, t1 + stepIndex * 15_000 + 8_000);
          break;
        }
        stepIndex++;
      }
      if (stepIndex === tour.steps.length) widget(member.userId, 'spotlight_completed', ref, t1 + 60_000);
    }
    if (survey) npsPrompts(options, account, member, survey, widget);
  }
}

/**
 * The NPS prompt as the survey's default sampling shows it (README, "NPS surveys"): first 30 days
 * after joining, at the member's next visit; again 90 days after an answer or 30 after a dismissal;
 * an unanswered prompt comes back a day later, and after 3 displays with neither, backs off as
 * after a dismissal. Most people ignore it: 15-35% of those shown answer, by archetype. A churning
 * account's people are rarely there to be asked once its usage has fallen.
 */
function npsPrompts(
  options: SyntheticOptions,
  account: { rand: () => number; archetype: Archetype; churnedAt: number },
  member: { userId: string; joined: number },
  survey: ContentRef,
  widget: (userId: string, name: string, properties: Record<string, unknown>, t: number) => void,
): void {
  const { rand, archetype } = account;
  const mean: Record<Archetype, number> = { growing: 9, fast: 8.2, slow: 7, never: 5.2, churning: 4.5 };
  // Per display: people asked again and again answer at some point, so these stay low.
  const answerChance: Record<Archetype, number> = {
    growing: 0.08,
    fast: 0.07,
    slow: 0.05,
    never: 0.035,
    churning: 0.05,
  };
  const ref = { contentId: survey.contentId, version: survey.version };
  const visit = () => between(rand, 0, 6) * day;
  let asked = member.joined + 30 * day + visit();
  let unanswered = 0;
  let n = 0;
  while (asked < options.now - day) {
    if (asked > account.churnedAt && rand() < 0.7) {
      asked += 30 * day;
      continue;
    }
    widget(member.userId, 'survey_shown', ref, asked);
    const r = rand();
    if (r < answerChance[archetype]) {
      // A churning account's people grow less happy as its usage falls.
      const late = archetype === 'churning' && asked > options.now - 60 * day ? -2 : 0;
      const score = Math.max(0, Math.min(10, Math.round(mean[archetype] + late + (rand() - 0.5) * 4)));
      const group = score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
      const prefix = options.idPrefix ?? 'syn';
      const responseId = `${prefix}-${member.userId}-${++n}`.replace(/[^\w-]/g, '-').padEnd(8, '0');
      widget(member.userId, 'survey_answered', { ...ref, responseId, score }, asked + 20_000);
      if (rand() < 0.45) {
        const list = comments[group];
        const comment = list[Math.floor(rand() * list.length)];
        widget(member.userId, 'survey_answered', { ...ref, responseId, score, comment }, asked + 60_000);
      }
      asked += 90 * day + visit();
      unanswered = 0;
    } else if (r < answerChance[archetype] + 0.12) {
      widget(member.userId, 'survey_dismissed', ref, asked + 15_000);
      asked += 30 * day + visit();
      unanswered = 0;
    } else if (++unanswered >= 3) {
      asked += 30 * day + visit();
      unanswered = 0;
    } else {
      asked += day + visit();
    }
  }
}

const between = (rand: () => number, lo: number, hi: number) => lo + rand() * (hi - lo);

function weighted<K extends string>(rand: () => number, shares: Record<K, number>): K {
  const entries = Object.entries(shares) as Array<[K, number]>;
  return weightedPair(rand, entries);
}

function weightedPair<K>(rand: () => number, entries: ReadonlyArray<readonly [K, number]>): K {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [key, w] of entries) {
    r -= w;
    if (r <= 0) return key;
  }
  return (entries.at(-1) as readonly [K, number])[0];
}
