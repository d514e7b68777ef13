import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { eq } from 'drizzle-orm';
import { checklistDraftInput } from '../shared/schemas/checklist.ts';
import { milestoneInput } from '../shared/schemas/milestone.ts';
import { type SpotlightDraftInput, spotlightDraftInput } from '../shared/schemas/spotlight.ts';
import type { Auth } from './auth/auth.ts';
import { createMember } from './auth/owners.ts';
import { teamUserByEmail } from './auth/team.ts';
import { checklistService } from './checklists/service.ts';
import { MilestoneService } from './content/milestones.ts';
import { type Database, statement } from './db/client.ts';
import { workspaces } from './db/schema.ts';
import { GoalCatalog } from './goals/catalog.ts';
import { seedDemoHealth } from './seed/demo-health.ts';
import type { SyntheticOptions } from './seed/synthetic.ts';
import { seedHistory, seedSurvey } from './seed-history.ts';
import { spotlightService } from './spotlights/service.ts';
import { createWorkspace, currentPublishableKey, WorkspaceDirectory } from './workspaces/store.ts';

export const demoWorkspaceId = 'demo';

/** The demo workspace's owner: a fixed password, printed at start (README, "Quick start"). */
export const demoOwner = { name: 'Demo Owner', email: 'demo@waymark.dev', password: 'waymark-demo' } as const;

/**
 * Creates the demo workspace's owner if there is none with the demo email; answers whether the
 * demo owner exists (so its credentials can be printed).
 *
 * @example
 * if (await seedDemoOwner(db, app.auth, Date.now())) console.log(demoOwner.email, demoOwner.password)
 */
export async function seedDemoOwner(db: Database, auth: Auth, now: number): Promise<boolean> {
  const [demo] = await db.read.select().from(workspaces).where(eq(workspaces.id, demoWorkspaceId));
  if (!demo) return false;
  if (await teamUserByEmail(db, demoOwner.email)) return true;
  await createMember({ db, auth, now }, demoOwner, [demoWorkspaceId], 'owner');
  return true;
}

/**
 * What `seedDemo` found or made. The secret key and the identity secret are there only when the demo
 * workspace was created just now: the secret key is stored only as a hash, so this is the one chance
 * to show it.
 */
export type DemoKeys =
  | { created: true; publishableKey: string; secretKey: string; identitySecret: string }
  | { created: false; publishableKey: string };

/**
 * Creates the demo workspace on first start, with its content and six months of history; on later
 * starts only reads its current publishable key. Nothing is written outside the database.
 *
 * @example
 * const keys = await seedDemo(db, Date.now())
 * if (keys.created) console.log(keys.secretKey) // once, never again
 */
export async function seedDemo(db: Database, now: number): Promise<DemoKeys> {
  const [existing] = await db.read.select().from(workspaces).where(eq(workspaces.id, demoWorkspaceId));
  if (existing) {
    return { created: false, publishableKey: (await currentPublishableKey(db, demoWorkspaceId, now)) ?? '' };
  }
  const created = await createWorkspace(db, { id: demoWorkspaceId, name: 'Ledgerly (demo)' }, now);
  // The widget wears the demo product's colours, as a customer would configure it.
  await db.writer.batch([
    statement(
      db.read
        .update(workspaces)
        .set({ theme: { brandColor: '#0f766e', radius: 10, mode: 'light' } })
        .where(eq(workspaces.id, demoWorkspaceId)),
    ),
  ]);
  const content = await seedDemoContent(db, demoWorkspaceId, now);
  // The history is sent as the customer's own server would send it: with the secret key.
  const tenant = await new WorkspaceDirectory(db, () => now).byKey(created.secretKey);
  if (tenant) await seedHistory(db, tenant, new GoalCatalog(db), content, now);
  await seedDemoHealth(db, demoWorkspaceId, now);
  return {
    created: true,
    publishableKey: created.publishableKey,
    secretKey: created.secretKey,
    identitySecret: created.identitySecret,
  };
}

/**
 * Earlier releases kept the demo's secret key in plain text in `demo-keys.json` beside a `file:`
 * database. Deletes that file if it is there, and answers its path (null when there was none).
 *
 * @example
 * const removed = await removePlainTextDemoKeys('file:data/waymark.db') // 'data/demo-keys.json' or null
 */
export async function removePlainTextDemoKeys(databaseUrl: string): Promise<string | null> {
  if (!databaseUrl.startsWith('file:')) return null;
  const path = databaseUrl.slice('file:'.length).split('?')[0] ?? '';
  if (path === '' || path === ':memory:') return null;
  const file = join(dirname(path), 'demo-keys.json');
  try {
    await rm(file);
    return file;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The demo's content, published in a workspace: its milestones, onboarding checklist, spotlights and
 * NPS survey. Answers what a history's widget events refer to (see server/seed/synthetic.ts).
 *
 * @example
 * const content = await seedDemoContent(db, 'demo', Date.now()) // content.survey.contentId...
 */
export async function seedDemoContent(
  db: Database,
  workspaceId: string,
  now: number,
): Promise<SyntheticOptions['content']> {
  const checklist = await seedOnboarding(db, workspaceId, now);
  const tour = await seedSpotlights(db, workspaceId, now);
  const survey = await seedSurvey(db, workspaceId, now);
  const items = checklist.content.items;
  return {
    checklist: {
      contentId: checklist.contentId,
      version: checklist.version,
      items: items.filter((item) => item.completion.kind !== 'manual').map((item) => item.id),
      manualItems: items.filter((item) => item.completion.kind === 'manual').map((item) => item.id),
    },
    tour: {
      contentId: tour.contentId,
      version: tour.version,
      steps: tour.content.steps.map((step) => step.id),
    },
    survey: { contentId: survey.contentId, version: survey.version },
  };
}

/**
 * The demo's onboarding: four milestones ("sent an invoice" is the value milestone) and a published
 * account-scope checklist whose items tick as anyone in the demo company does the real thing.
 */
async function seedOnboarding(db: Database, workspaceId: string, now: number) {
  const clock = () => now;
  const milestones = new MilestoneService(db, clock);
  const checklists = checklistService(db, milestones, clock);
  const definitions = [
    { key: 'customer_created', name: 'Created a customer', rule: { event: 'Customer Created' } },
    { key: 'invoice_sent', name: 'Sent an invoice', rule: { event: 'Invoice Sent' }, isValue: true },
    { key: 'teammate_invited', name: 'Invited a teammate', rule: { event: 'Teammate Invited' } },
    { key: 'bank_connected', name: 'Connected a bank account', rule: { event: 'Bank Account Connected' } },
  ];
  for (const definition of definitions)
    await milestones.create(workspaceId, milestoneInput.parse(definition));

  const checklist = await checklists.create(
    workspaceId,
    checklistDraftInput.parse({
      name: 'Ledgerly onboarding',
      content: {
        title: 'Get paid with Ledgerly',
        description: 'Four steps to your first paid invoice. Anyone on your team can tick them off.',
        scope: 'account',
        // For accounts in their first month: a returning customer has onboarded (and may be asked for NPS).
        audience: {
          conditions: [{ on: 'account', trait: 'createdAt', op: 'after', value: { daysAgo: 30 } }],
        },
        items: [
          {
            id: 'create_customer',
            title: 'Add your first customer',
            description: 'Who are you billing? Add their name and email.',
            action: { kind: 'url', url: '/demo/customers' },
            completion: { kind: 'milestone', milestone: 'customer_created' },
          },
          {
            id: 'send_invoice',
            title: 'Send an invoice',
            description: 'Create an invoice and **send it**: this is where Ledgerly starts paying off.',
            action: { kind: 'url', url: '/demo/invoices/new' },
            completion: { kind: 'milestone', milestone: 'invoice_sent' },
          },
          {
            id: 'invite_teammate',
            title: 'Invite a teammate',
            description: 'Bookkeeping is a team sport.',
            action: { kind: 'url', url: '/demo/team' },
            completion: { kind: 'event', event: 'Teammate Invited' },
          },
          {
            id: 'connect_bank',
            title: 'Connect a bank account',
            description: 'So customers can pay you by transfer.',
            action: { kind: 'url', url: '/demo/settings' },
            completion: { kind: 'event', event: 'Bank Account Connected' },
          },
          {
            id: 'read_guide',
            title: 'Read the invoicing guide',
            description: 'Optional: tick it when you have had a look.',
            completion: { kind: 'manual' },
            required: false,
          },
        ],
        translations: {
          fr: {
            title: 'Soyez payé avec Ledgerly',
            description: 'Quatre étapes vers votre première facture payée.',
            items: {
              create_customer: { title: 'Ajoutez votre premier client' },
              send_invoice: { title: 'Envoyez une facture' },
              invite_teammate: { title: 'Invitez un collègue' },
              connect_bank: { title: 'Connectez un compte bancaire' },
              read_guide: { title: 'Lisez le guide de facturation' },
            },
          },
        },
      },
    }),
  );
  return checklists.publish(workspaceId, checklist.id);
}

/**
 * The demo's spotlights: a hotspot on the easy-to-miss CSV export, and a three-step tour from the
 * dashboard to the invoice list that resumes where the user left off after a reload. Answers the
 * tour's published version.
 */
async function seedSpotlights(db: Database, workspaceId: string, now: number) {
  const spotlights = spotlightService(db, () => now);
  const definitions: SpotlightDraftInput[] = [
    {
      name: 'Export hotspot',
      content: {
        steps: [
          {
            id: 'export',
            kind: 'hotspot',
            title: 'Export for your accountant',
            body: 'Download every invoice as **CSV**, ready for your bookkeeping tool.',
            anchor: { selector: '[data-tour="export"]' },
            placement: { side: 'bottom', align: 'end' },
          },
        ],
        audience: { urls: [{ match: 'exact', pattern: '/demo/invoices' }] },
        priority: 40,
        translations: { fr: { export: { title: 'Exportez pour votre comptable' } } },
      },
    },
    {
      name: 'Ledgerly tour',
      content: {
        steps: [
          {
            id: 'new_invoice',
            kind: 'tooltip',
            title: 'Start here',
            body: 'Every invoice starts with **New invoice**: pick a customer, add lines, send.',
            anchor: { selector: '[data-tour="create-invoice"]' },
            placement: { side: 'bottom', align: 'end' },
            page: { match: 'exact', pattern: '/demo' },
            pageUrl: '/demo',
          },
          {
            id: 'invoices_nav',
            kind: 'tooltip',
            title: 'All your invoices',
            body: 'Sent, paid and overdue invoices live here. Click **Invoices** (in the menu on a phone) to continue.',
            anchor: { selector: '[data-tour="nav-invoices"]' },
            placement: { side: 'right' },
            page: { match: 'exact', pattern: '/demo' },
            pageUrl: '/demo',
            advance: 'click',
            // On a phone the link is in the collapsed menu: the step shows in the middle of the
            // screen, and moves to the link when the user opens the menu.
            whenHidden: 'center',
          },
          {
            id: 'filters',
            kind: 'tooltip',
            title: 'See what is overdue',
            body: 'Filter by status to chase late payers in one click.',
            anchor: { selector: '[data-tour="invoice-filters"]' },
            placement: { side: 'bottom', align: 'start' },
            page: { match: 'exact', pattern: '/demo/invoices' },
            pageUrl: '/demo/invoices',
          },
        ],
        trigger: { kind: 'page' },
        // For people new to Ledgerly: a returning customer is not toured (and may be asked for NPS).
        audience: {
          conditions: [{ on: 'user', trait: 'createdAt', op: 'after', value: { daysAgo: 14 } }],
          urls: [{ match: 'exact', pattern: '/demo' }],
        },
        priority: 60,
      },
    },
  ];
  const published = [];
  for (const definition of definitions) {
    const created = await spotlights.create(workspaceId, spotlightDraftInput.parse(definition));
    published.push(await spotlights.publish(workspaceId, created.id));
  }
  const tour = published.find((version) => version.content.steps.length > 1);
  if (!tour) throw new Error('the demo has a tour');
  return tour;
}
