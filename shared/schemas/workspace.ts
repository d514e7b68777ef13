import { z } from 'zod';
import { storedText } from './stored-text.ts';
import { theme } from './theme.ts';

/** A workspace's id: typed on command lines (`--workspace acme`), so plain characters only. */
const workspaceId = z
  .string()
  .min(1, 'must not be empty')
  .max(64)
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'must be lowercase letters, digits, _ or -, starting with a letter or digit',
  );

/**
 * An origin a workspace accepts browser calls from: `https://app.acme.com`, `https://*.acme.com`, or `*`.
 */
export const allowedOrigin = z.union([
  z.literal('*'),
  z.string().regex(/^https?:\/\/(\*\.)?[^/\s]+$/, 'must be an origin such as https://app.example.com'),
]);

/** A workspace's name, as people see it (stored as SQL text: no NUL, no unpaired surrogate). */
export const workspaceName = storedText(z.string().trim().min(1, 'must not be empty').max(200));

/**
 * A new workspace (`waymark workspace create`): its keys and identity secret are generated.
 *
 * @example
 * workspaceInput.parse({ id: 'acme', name: 'Acme', allowedOrigins: ['https://app.acme.com'] })
 */
export const workspaceInput = z.strictObject({
  id: workspaceId,
  name: workspaceName,
  allowedOrigins: z.array(allowedOrigin).max(100).default([]),
});
export type WorkspaceInput = z.infer<typeof workspaceInput>;

/** Browser messages by how their identity was vouched for (README, "Identity verification"). */
const identityTraffic = z.object({
  signed: z.number().int(),
  unsigned: z.number().int(),
  invalid: z.number().int(),
  trusted: z.number().int(),
  /** Signed among the browser's messages (trusted ones come from servers); null before any. */
  signedShare: z.number().nullable(),
});

/** `GET /v1/admin/workspace`: the settings, the current publishable key and identity-verification traffic. */
export const workspaceSettingsView = z.object({
  id: z.string(),
  name: z.string(),
  publishableKey: z.string().nullable(),
  allowedOrigins: z.array(z.string()),
  theme: theme,
  promptCooldownHours: z.number().int(),
  identityVerification: z.object({
    mode: z.enum(['off', 'enforce']),
    liveSecrets: z.number().int(),
    traffic: identityTraffic,
    accountTraffic: identityTraffic,
  }),
  createdAt: z.string(),
});

/** `POST /v1/admin/workspace/identity-secrets`: the new secret, shown once. */
export const identitySecretRotation = z.object({
  identitySecret: z.string(),
  /** Secrets that verify signatures now: the new one and the one before it. */
  liveSecrets: z.number().int(),
});
