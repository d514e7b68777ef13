import { z } from 'zod';
import { storedText } from './stored-text.ts';

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
