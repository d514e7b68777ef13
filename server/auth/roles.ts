import type { TeamRole } from '../../shared/schemas/team.ts';
import { contentKinds } from '../../shared/schemas/versioned.ts';

/** What a request needs: a role, and what the README calls that kind of change. */
export interface RoleNeed {
  role: TeamRole;
  what: string;
}

/**
 * The roles admin routes need from a signed-in team member (README, "Team sign-in"): the one table,
 * read by the admin middleware (routes/admin.ts) before any route runs. Reads (GET, HEAD) need
 * `viewer`; a change needs the role of the first rule that matches its method and path (under
 * `/v1/admin`), and `admin` when none does, so that a route added later is admin-only until listed.
 * A secret key is not subject to roles: it can do everything.
 */
const changeRules: {
  methods?: readonly string[];
  path: RegExp;
  /** When set, the rule applies only to a JSON body naming these fields and no other. */
  onlyFields?: readonly string[];
  need: RoleNeed;
}[] = [
  {
    // Every content kind's routes are under its plural (`/checklists`, `/surveys`, `/spotlights`).
    path: new RegExp(`^/(milestones|${contentKinds.map((kind) => `${kind}s`).join('|')}|core-features)(/|$)`),
    need: { role: 'editor', what: 'content' },
  },
  // The widget's theme is content; the workspace's other settings (name, origins, identity) are not.
  {
    methods: ['PATCH'],
    path: /^\/workspace$/,
    onlyFields: ['theme'],
    need: { role: 'editor', what: 'theme' },
  },
];

const changeByDefault: RoleNeed = {
  role: 'admin',
  what: 'settings, keys, members, webhooks, the health model, alert rules and imports',
};

const read: RoleNeed = { role: 'viewer', what: 'reading' };

/** Methods that change nothing. */
export const safeMethods: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/**
 * The role a request under `/v1/admin` needs. `fields`: the top-level fields of its JSON body, when
 * it has one (a rule may depend on them).
 *
 * @example
 * roleNeeded('POST', '/checklists', []) // { role: 'editor', what: 'content' }
 * roleNeeded('POST', '/keys', [])       // { role: 'admin', ... }
 */
export function roleNeeded(method: string, path: string, fields: readonly string[] | null): RoleNeed {
  const verb = method.toUpperCase();
  if (safeMethods.includes(verb)) return read;
  const rule = changeRules.find(
    (candidate) =>
      (candidate.methods === undefined || candidate.methods.includes(verb)) &&
      candidate.path.test(path) &&
      (candidate.onlyFields === undefined ||
        (fields !== null &&
          fields.length > 0 &&
          fields.every((field) => candidate.onlyFields?.includes(field)))),
  );
  return rule?.need ?? changeByDefault;
}

/** Whether any rule depends on the body of a request with this method and path (then it is read first). */
export function needsBodyFields(method: string, path: string): boolean {
  const verb = method.toUpperCase();
  return changeRules.some(
    (rule) =>
      rule.onlyFields !== undefined &&
      (rule.methods === undefined || rule.methods.includes(verb)) &&
      rule.path.test(path),
  );
}
