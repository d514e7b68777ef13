import { z } from 'zod';

/**
 * Playbook alerts on account health: which fire, with what thresholds and cooldowns (README,
 * "Alerts"). Every rule has a default (`defaultAlertRules`); a workspace changes what it names.
 */
const base = { enabled: z.boolean(), cooldownDays: z.number().int().min(0).max(365) };
const ruleShapes = {
  /** The band got worse than the snapshot before (green to yellow, yellow to red, green to red). */
  bandDowngrade: z.object(base),
  /** The score fell by at least `points` against `days` days before. */
  scoreDrop: z.object({
    ...base,
    points: z.number().int().min(1).max(100),
    days: z.number().int().min(1).max(90),
  }),
  /** A member answered NPS with 0-6 that day. */
  detractor: z.object(base),
  /** The `paymentStatus` trait is `past_due` or `failed`. */
  paymentPastDue: z.object(base),
  /** The `renewalDate` trait is within `withinDays` days and the band is not green. */
  renewalAtRisk: z.object({ ...base, withinDays: z.number().int().min(1).max(365) }),
  /** After `afterDays` days, under `below` of the core features used in the window. */
  lowAdoption: z.object({
    ...base,
    afterDays: z.number().int().min(0).max(3650),
    below: z.number().min(0).max(1),
  }),
};

export const alertRules = z.strictObject(ruleShapes);
export type AlertRules = z.infer<typeof alertRules>;
export type AlertRule = keyof AlertRules;
export const alertRuleNames = Object.keys(ruleShapes) as [AlertRule, ...AlertRule[]];

/** A change to some fields of some rules: `PATCH /v1/admin/alerts/rules`. */
export const alertRulesPatch = z.strictObject({
  bandDowngrade: ruleShapes.bandDowngrade.partial().strict().optional(),
  scoreDrop: ruleShapes.scoreDrop.partial().strict().optional(),
  detractor: ruleShapes.detractor.partial().strict().optional(),
  paymentPastDue: ruleShapes.paymentPastDue.partial().strict().optional(),
  renewalAtRisk: ruleShapes.renewalAtRisk.partial().strict().optional(),
  lowAdoption: ruleShapes.lowAdoption.partial().strict().optional(),
});
export type AlertRulesPatch = z.infer<typeof alertRulesPatch>;

export const defaultAlertRules: AlertRules = {
  bandDowngrade: { enabled: true, cooldownDays: 7 },
  scoreDrop: { enabled: true, cooldownDays: 14, points: 10, days: 30 },
  detractor: { enabled: true, cooldownDays: 7 },
  paymentPastDue: { enabled: true, cooldownDays: 30 },
  renewalAtRisk: { enabled: true, cooldownDays: 30, withinDays: 90 },
  lowAdoption: { enabled: true, cooldownDays: 30, afterDays: 60, below: 0.3 },
};

/** Rules with a change applied: each rule keeps the fields the change does not name. */
export function applyAlertRulesPatch(rules: AlertRules, patch: AlertRulesPatch): AlertRules {
  const out = structuredClone(rules) as Record<AlertRule, Record<string, unknown>>;
  for (const rule of alertRuleNames) Object.assign(out[rule], patch[rule] ?? {});
  return out as AlertRules;
}
