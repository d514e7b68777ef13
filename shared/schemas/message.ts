import { z } from 'zod';
import { type InternalEventName, internalEvents, internalPrefix } from './internal-event.ts';
import { checkJsonShape, dictionary } from './json-shape.ts';
import { storedText } from './stored-text.ts';

/**
 * Segment-compatible wire messages (`identify`, `track`, `group`, `page`, `screen`), as sent to
 * `POST /v1/batch` by the widget or by any Segment library pointed at Waymark.
 * Unknown top-level fields (`integrations`, `_metadata`, `channel`, ...) are accepted and dropped.
 */

/** Limits shared by the widget (which never sends more) and the server (which rejects more). */
export const limits = {
  requestBytes: 500 * 1024,
  messageBytes: 32 * 1024,
  messageIdLength: 100,
  idLength: 255,
  eventNameLength: 200,
  /** Messages a batch may hold: Segment's clients send at most a few hundred, the widget 100. */
  batchMessages: 500,
  /** Rejected messages an answer lists; `rejectedCount` counts them all, so an answer stays small. */
  reportedRejections: 100,
  /** Timestamps before this are refused: no product event is that old, only unset device clocks. */
  earliestTimestamp: Date.parse('2000-01-01T00:00:00.000Z'),
  /** Timestamps further ahead of the server's clock than this are taken as the time received. */
  futureSkewMs: 24 * 60 * 60 * 1000,
} as const;

// "Required" for a missing field reads better than zod's "expected string, received undefined".
const required = {
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'Required' : undefined),
};

/**
 * Identity verification signs `userId + "\n" + groupId`: an id holding a line feed could make two
 * pairs of ids sign alike, so no id may hold a control character (U+0000 to U+001F). NUL would
 * also cut the id short in SQLite, and a lone surrogate would be stored as U+FFFD (two ids as one).
 */
export const idCharacters = {
  // With the `u` flag a paired surrogate is one code point: only a half without its pair is \p{Cs}.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  pattern: /^[^\u0000-\u001f\p{Cs}]*$/u,
  message: 'must not contain control characters (U+0000 to U+001F) or an unpaired surrogate',
} as const;

// Segment's own libraries send ids as strings, but hand-written clients send numbers too.
const identifier = z.union(
  [
    z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(limits.idLength)
      .regex(idCharacters.pattern, idCharacters.message),
    z.number().transform(String),
  ],
  { error: (issue) => (issue.input === undefined ? 'Required' : 'must be a string') },
);
const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });
const name = storedText(z.string().max(limits.eventNameLength));

/** `context` as Segment defines it; only the fields Waymark reads are typed, the rest is kept. */
export const messageContext = z
  .looseObject({
    groupId: identifier.optional(),
    locale: z.string().max(35).optional(),
    userHash: z.string().max(128).optional(),
    groupHash: z.string().max(128).optional(),
    page: z
      .looseObject({
        path: z.string().optional(),
        url: z.string().optional(),
        title: z.string().optional(),
        referrer: z.string().optional(),
        search: z.string().optional(),
      })
      .optional(),
  })
  .superRefine(checkJsonShape);
export type MessageContext = z.infer<typeof messageContext>;

const common = {
  messageId: storedText(z.string().min(1).max(limits.messageIdLength)).optional(),
  userId: identifier.nullish(),
  anonymousId: identifier.nullish(),
  timestamp: timestamp.optional(),
  sentAt: timestamp.optional(),
  context: messageContext.optional(),
  /** Identity verification: hex HMAC-SHA256(identitySecret, userId). May also come as `context.userHash`. */
  userHash: z.string().max(128).optional(),
  /**
   * Account verification: hex HMAC-SHA256(identitySecret, userId + "\n" + groupId), for the account
   * the message names (a group's `groupId`, or `context.groupId`). May also come as `context.groupHash`.
   */
  groupHash: z.string().max(128).optional(),
};

export const identifyMessage = z.object({
  ...common,
  type: z.literal('identify'),
  traits: dictionary.optional(),
});
export const trackMessage = z.object({
  ...common,
  type: z.literal('track'),
  event: storedText(z.string(required).trim().min(1, 'must not be empty').max(limits.eventNameLength)),
  properties: dictionary.optional(),
});
export const pageMessage = z.object({
  ...common,
  type: z.literal('page'),
  name: name.nullish(),
  category: name.nullish(),
  properties: dictionary.optional(),
});
export const screenMessage = z.object({
  ...common,
  type: z.literal('screen'),
  name: name.nullish(),
  properties: dictionary.optional(),
});
export const groupMessage = z.object({
  ...common,
  type: z.literal('group'),
  groupId: identifier,
  traits: dictionary.optional(),
});

/**
 * One message of a batch. Every message names a user (`userId`) or a visitor (`anonymousId`).
 *
 * @example
 * message.safeParse({ type: 'track', event: 'Invoice Sent', userId: 'u1', messageId: 'm1' })
 */
export const message = z
  .discriminatedUnion('type', [identifyMessage, trackMessage, pageMessage, screenMessage, groupMessage], {
    error: 'must be one of identify, track, page, screen, group',
  })
  .superRefine((msg, ctx) => {
    if (msg.userId == null && msg.anonymousId == null) ctx.addIssue({ ...missingIdentity, path: ['userId'] });
    if (msg.type === 'track' && msg.event.startsWith(internalPrefix)) checkInternalEvent(msg, ctx);
  });

/** `$waymark.` events are the widget's own: only known names, with exactly their properties. */
function checkInternalEvent(
  msg: { event: string; properties?: Record<string, unknown> | undefined },
  ctx: z.RefinementCtx,
) {
  const schema = internalEvents[msg.event.slice(internalPrefix.length) as InternalEventName] as
    | z.ZodType
    | undefined;
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      path: ['event'],
      message: `"${internalPrefix}" names are reserved for Waymark's widget`,
    });
    return;
  }
  if (msg.properties === undefined) {
    // Pointing at `properties` itself: a pointer to one of its fields would name nothing in the body.
    ctx.addIssue({ code: 'custom', path: ['properties'], message: `required for ${msg.event}` });
    return;
  }
  const result = schema.safeParse(msg.properties);
  for (const issue of result.error?.issues ?? []) {
    ctx.addIssue({ code: 'custom', path: ['properties', ...issue.path.map(String)], message: issue.message });
  }
}

/** The issue for a message that names nobody; also added when other fields fail, so all show at once. */
export const missingIdentity = {
  code: 'custom',
  path: ['userId'],
  message: 'userId or anonymousId is required',
} as const;
export type Message = z.infer<typeof message>;
export type MessageInput = z.input<typeof message>;
export type MessageType = Message['type'];

/**
 * The envelope of `POST /v1/batch`. Messages are validated one by one afterwards, so that one bad
 * message never costs the good ones. `writeKey` in the body lets `navigator.sendBeacon` authenticate.
 */
export const batchEnvelope = z.object({
  batch: z
    .array(z.unknown())
    .min(1, 'must hold at least one message')
    .max(
      limits.batchMessages,
      `must hold at most ${limits.batchMessages} messages: send more in several requests`,
    ),
  sentAt: timestamp.optional(),
  writeKey: z.string().optional(),
  context: dictionary.optional(),
});
export type BatchEnvelope = z.infer<typeof batchEnvelope>;

/** One rejected message in a batch response. */
export const rejectedMessage = z.object({
  index: z.number().int(),
  errors: z.array(z.object({ pointer: z.string(), detail: z.string() })),
});

/**
 * The answer to `POST /v1/batch` when at least one message was stored or recognised as a duplicate.
 * `rejected` lists the messages that were not stored, with a pointer per problem: the first
 * `limits.reportedRejections` of them; `rejectedCount` counts them all.
 */
export const batchResult = z.object({
  success: z.boolean(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(rejectedMessage),
  rejectedCount: z.number().int(),
});
export type BatchResult = z.infer<typeof batchResult>;
