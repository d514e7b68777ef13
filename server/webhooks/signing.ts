import { createHmac, randomBytes } from 'node:crypto';

/** A new signing secret (`whsec_` and 32 random bytes as hex): shown once, on create or rotation. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('hex')}`;

/** Enough of a secret to recognise it in a list: `whsec_…9f3a`. */
export const secretHint = (secret: string): string => `whsec_…${secret.slice(-4)}`;

/**
 * The `Waymark-Signature` header, as Stripe signs: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>`, one `v1=` per live secret (the current one first; two during a rotation's overlap).
 * The receiver recomputes it over the raw body and refuses a `t` too far from its own clock, so a
 * captured delivery cannot be replayed later (README, "Webhooks").
 *
 * @example
 * signatureHeader(['whsec_abc'], 1795500000, '{"id":"evt_1"}') // 't=1795500000,v1=5257a8…'
 */
export function signatureHeader(secrets: readonly string[], unixSeconds: number, body: string): string {
  const signed = `${unixSeconds}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1=${createHmac('sha256', secret).update(signed).digest('hex')}`,
  );
  return [`t=${unixSeconds}`, ...signatures].join(',');
}
