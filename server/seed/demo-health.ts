import { CoreFeatureService } from '../adoption/core-features.ts';
import { FeatureRollupBuilder } from '../adoption/feature-days.ts';
import type { Database } from '../db/client.ts';
import { HealthModelStore } from '../health/model-store.ts';
import { backfill, dayOf, type HealthDeps, runHealthDay } from '../health/run.ts';
import { createLogger } from '../logger.ts';

const dayMs = 86_400_000;

/** Ledgerly's core features: what a healthy bookkeeping customer does every month. */
export const demoCoreFeatures = [
  { key: 'invoicing', name: 'Invoicing', events: [{ event: 'Invoice Sent' }] },
  { key: 'payments', name: 'Getting paid', events: [{ event: 'Invoice Paid' }] },
  { key: 'expenses', name: 'Expenses', events: [{ event: 'Expense Added' }, { event: 'Receipt Uploaded' }] },
  { key: 'reports', name: 'Reports', events: [{ event: 'Report Viewed' }, { event: 'Report Exported' }] },
  { key: 'bank-sync', name: 'Bank sync', events: [{ event: 'Bank Sync Completed' }] },
  { key: 'recurring', name: 'Recurring invoices', events: [{ event: 'Recurring Invoice Created' }] },
];

/**
 * Gives a workspace Ledgerly's core features (the seed, and the benchmarks' generated databases).
 *
 * @example
 * await addDemoCoreFeatures(new CoreFeatureService(db, clock), 'demo')
 */
export async function addDemoCoreFeatures(features: CoreFeatureService, workspaceId: string): Promise<void> {
  for (const feature of demoCoreFeatures) {
    await features.create(workspaceId, {
      ...feature,
      description: '',
      events: feature.events.map((e) => ({ ...e, where: [] })),
    });
  }
}

/**
 * The demo's account health, as an install with history has it: its core features, 18 weeks of
 * daily snapshots written by a backfill from the seeded events, then yesterday's scheduled run, which
 * checks the alert rules against the day before (a backfill fires none), so the inbox holds what a
 * CS team would have been told yesterday.
 */
export async function seedDemoHealth(db: Database, workspaceId: string, now: number): Promise<void> {
  const clock = () => now;
  const logger = createLogger('error');
  const rollups = new FeatureRollupBuilder(db, logger);
  const deps: HealthDeps = {
    db,
    clock,
    logger,
    models: new HealthModelStore(db, clock),
    features: new CoreFeatureService(db, clock, rollups),
    instanceId: 'demo-seed',
  };
  await addDemoCoreFeatures(deps.features, workspaceId);
  // The features' rollups from the history just written, before the server starts: the first views
  // show their figures, not "being counted again".
  await rollups.wake();
  await backfill(deps, workspaceId, dayOf(now - 126 * dayMs), dayOf(now - 2 * dayMs));
  await runHealthDay(deps, workspaceId, dayOf(now - dayMs));
}
