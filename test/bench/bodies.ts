/**
 * The fixed request bodies of the ingestion benchmark: `POST /v1/batch` bodies of 20 messages shaped
 * as the widget sends them (identify, group, then tracks and pages, each with the widget's context),
 * from many distinct users spread over fewer accounts. Only the messageIds change from one request to
 * the next, so that nothing is ever a duplicate: a body is a template whose messageId slots are filled
 * with fresh ids at send time (a string join, no JSON work on the hot path).
 */
import { randomUUID } from 'node:crypto';

export const eventsPerBatch = 20;
export const userCount = 200;
export const accountCount = 40;

/** Who a body is from: by default `user-<n>` of `acct-<n % 40>`; scale.ts sends as a database's real people. */
export interface Person {
  userId: string;
  accountId: string;
}

const benchPerson = (n: number): Person => {
  const user = n % userCount;
  return { userId: `user-${user}`, accountId: `acct-${user % accountCount}` };
};

/** The placeholder a template holds where each messageId goes. */
const slot = '@@MESSAGE_ID@@';

/** One request body, split around its messageId slots: `parts.length === eventsPerBatch + 1`. */
export interface BodyTemplate {
  parts: string[];
  userId: string;
  accountId: string;
}

const trackNames = [
  'Invoice Created',
  'Invoice Sent',
  'Customer Created',
  'Payment Recorded',
  'Report Viewed',
  'Reminder Scheduled',
  'Invoice Downloaded',
];
const pages = [
  { path: '/invoices', title: 'Invoices · Ledgerly' },
  { path: '/customers', title: 'Customers · Ledgerly' },
  { path: '/reports', title: 'Reports · Ledgerly' },
  { path: '/settings/billing', title: 'Billing · Ledgerly' },
];
const userAgent =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/**
 * The message list of body number `n` (user `n % userCount`), with `slot` as every messageId.
 * Per batch: 1 identify (traits), 1 group (traits), 14 tracks (properties), 4 pages.
 */
function messagesOf(n: number, sentAt: number, person: Person): Record<string, unknown>[] {
  const user = n % userCount;
  const { userId, accountId } = person;
  const anonymousId = `anon-${String(user).padStart(4, '0')}-6f0c-4d2b-9a51-${String(n).padStart(12, '0')}`;
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < eventsPerBatch; i++) {
    const page = pages[(n + i) % pages.length]!;
    const common = {
      messageId: slot,
      anonymousId,
      userId,
      timestamp: new Date(sentAt - (eventsPerBatch - i) * 1500).toISOString(),
      context: {
        page: {
          path: page.path,
          url: `https://app.ledgerly.example${page.path}`,
          title: page.title,
          referrer: '',
          search: '',
        },
        locale: 'en-US',
        userAgent,
        library: { name: 'waymark.js', version: '0.1.0' },
        // As the widget: context.groupId only once group() was called.
        ...(i === 0 ? {} : { groupId: accountId }),
      },
    };
    if (i === 0) {
      out.push({
        ...common,
        type: 'identify',
        traits: {
          name: `User ${user}`,
          email: `user${user}@acct${user % accountCount}.example`,
          createdAt: '2026-10-01T09:00:00.000Z',
          role: user % 3 === 0 ? 'admin' : 'member',
        },
      });
    } else if (i === 1) {
      out.push({
        ...common,
        type: 'group',
        groupId: accountId,
        traits: { name: `Account ${user % accountCount}`, plan: 'growth', seats: 5 + (user % 20) },
      });
    } else if (i % 5 === 0) {
      out.push({ ...common, type: 'page', name: page.title.split(' ·')[0], properties: { path: page.path } });
    } else {
      out.push({
        ...common,
        type: 'track',
        event: trackNames[(n + i) % trackNames.length],
        properties: { amount: 100 + ((n * 7 + i * 13) % 900), currency: 'USD', invoiceId: `inv-${n}-${i}` },
      });
    }
  }
  return out;
}

/**
 * `count` body templates, one per user in turn (with writeKey and sentAt in the body, as the widget),
 * from `people` in turn when given.
 *
 * @example
 * const [t] = buildTemplates('pk_...', 1); fillBody(t, 'req7') // '{"batch":[{"messageId":"req7-0",...'
 */
export function buildTemplates(
  writeKey: string,
  count = userCount,
  sentAt = Date.now(),
  people?: readonly Person[],
): BodyTemplate[] {
  const templates: BodyTemplate[] = [];
  for (let n = 0; n < count; n++) {
    const person = people && people.length > 0 ? people[n % people.length]! : benchPerson(n);
    const body = JSON.stringify({
      batch: messagesOf(n, sentAt, person),
      sentAt: new Date(sentAt).toISOString(),
      writeKey,
    });
    const parts = body.split(slot);
    if (parts.length !== eventsPerBatch + 1) throw new Error('a template must hold one slot per message');
    templates.push({ parts, ...person });
  }
  return templates;
}

/** A body with every messageId fresh: `${prefix}-${i}`, unique as long as `prefix` is. */
export function fillBody(template: BodyTemplate, prefix: string): string {
  const { parts } = template;
  let body = parts[0]!;
  for (let i = 1; i < parts.length; i++) body += `${prefix}-${i - 1}${parts[i]}`;
  return body;
}

/** A prefix unique to this process, so that two load generator runs never send the same messageId. */
export const runPrefix = (): string => randomUUID().slice(0, 13);
