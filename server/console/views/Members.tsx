import { useState } from 'preact/hooks';
import type { TeamMember } from '../../../shared/schemas/team.ts';
import { api, done, ok } from '../api.ts';
import { ErrorNote, Loading, TableWrap, useLoad } from '../components/ui.tsx';
import { date } from '../format.ts';
import { type Role, useSession } from '../session.ts';

const roles: Role[] = ['viewer', 'editor', 'admin', 'owner'];
const roleWords: Record<Role, string> = {
  viewer: 'reads everything, changes nothing',
  editor: 'also authors content',
  admin: 'also keys, settings, members, webhooks',
  owner: 'everything',
};
/** An invitation's link on this server (`path` from the API). */
const linkOf = (path: string) => `${location.origin}${path}`;

/**
 * The workspace's team: who is in it with which role, the invitations pending, and an invitation by
 * link. Owners and admins change roles and remove members (the server enforces who may do what:
 * README, "Team sign-in"); others read the list.
 */
export default function Members() {
  const { session, workspace, can } = useSession();
  const admin = can('admin');
  const owner = can('owner');
  const team = api.v1.console.workspaces[':workspaceId'];
  const { members, invitations: invited } = team;
  const workspaceParam = { param: { workspaceId: workspace.id } };
  const view = useLoad(
    () =>
      Promise.all([
        ok(members.$get(workspaceParam)),
        admin ? ok(invited.$get(workspaceParam)) : Promise.resolve({ invitations: [] }),
      ]),
    [workspace.id, admin],
  );
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [result, setResult] = useState<{ text: string; link?: string } | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [change, setChange] = useState<string | null>(null);

  /** Runs a change to the team, says how it went, and reloads the list. */
  const act = async (run: () => Promise<unknown>, success: string) => {
    try {
      await run();
      setChange(success);
    } catch (error) {
      setChange(error instanceof Error ? error.message : String(error));
    }
    setRemoving(null);
    view.reload();
  };
  const param = (m: TeamMember) => ({ workspaceId: workspace.id, memberId: m.id });
  /** What this member may do to `m`: an owner's role is changed (and owner given) by owners only. */
  const manages = (m: TeamMember) => admin && (owner || m.role !== 'owner');

  if (view.state === 'loading') return <Loading what="the team" />;
  if (view.state === 'error') return <ErrorNote error={view.error} retry={view.reload} />;
  const [{ members: people }, { invitations }] = view.data;
  const pending = invitations.filter((i) => i.status === 'pending');
  return (
    <>
      <h1>Team</h1>
      <p class="lead">The members of {workspace.name} and what their role lets them do.</p>
      <TableWrap aria-label="Members">
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              {admin && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {people.map((m) => (
              <tr key={m.id}>
                <th scope="row">
                  {m.name}
                  {m.userId === session.user.id && <span class="muted"> (you)</span>}
                </th>
                <td>{m.email}</td>
                <td>
                  {manages(m) ? (
                    <select
                      aria-label={`Role of ${m.name}`}
                      value={m.role}
                      onChange={(e) => {
                        const role = e.currentTarget.value as Role;
                        void act(
                          () => ok(members[':memberId'].$patch({ param: param(m), json: { role } })),
                          `${m.name} is now ${role}.`,
                        );
                      }}
                    >
                      {roles
                        .filter((r) => owner || r !== 'owner')
                        .map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                    </select>
                  ) : (
                    m.role
                  )}{' '}
                  <span class="muted">({roleWords[m.role]})</span>
                </td>
                <td>{date(m.since)}</td>
                {admin && (
                  <td>
                    {manages(m) &&
                      (removing === m.id ? (
                        <span>
                          Remove {m.name} from {workspace.name}?{' '}
                          <button
                            type="button"
                            aria-label={`Yes, remove ${m.name}`}
                            onClick={() =>
                              act(
                                () => done(members[':memberId'].$delete({ param: param(m) })),
                                `${m.name} is no longer a member of ${workspace.name}.`,
                              )
                            }
                          >
                            Yes, remove
                          </button>{' '}
                          <button type="button" onClick={() => setRemoving(null)}>
                            Keep
                          </button>
                        </span>
                      ) : (
                        <button
                          type="button"
                          aria-label={`Remove ${m.name}`}
                          onClick={() => setRemoving(m.id)}
                        >
                          Remove
                        </button>
                      ))}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {change && (
        <p class="state" role="status">
          {change}
        </p>
      )}
      {admin && (
        <>
          <h2 id="invite">Invite someone</h2>
          <form
            class="filters"
            aria-labelledby="invite"
            onSubmit={async (e) => {
              e.preventDefault();
              try {
                const invitation = await ok(invited.$post({ ...workspaceParam, json: { email, role } }));
                setResult({
                  text: `Invited ${email} as ${role}. The link, also sent by email (or printed in the server's log):`,
                  link: linkOf(invitation.path),
                });
                setEmail('');
                view.reload();
              } catch (error) {
                setResult({ text: error instanceof Error ? error.message : String(error) });
              }
            }}
          >
            <label>
              Email
              <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            </label>
            <label>
              Role
              <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">Send the invitation</button>
          </form>
          {result && (
            <div class="state" role="status">
              <p>{result.text}</p>
              {result.link && (
                <p>
                  <code>{result.link}</code>
                </p>
              )}
            </div>
          )}
          <h2>Invitations pending</h2>
          {pending.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul class="timeline">
              {pending.map((i) => (
                <li key={i.id}>
                  {i.email} as {i.role}, until {date(i.expiresAt)}: <code>{linkOf(i.path)}</code>{' '}
                  <button
                    type="button"
                    onClick={async () => {
                      await done(
                        invited[':invitationId'].$delete({
                          param: { workspaceId: workspace.id, invitationId: i.id },
                        }),
                      ).catch((error: unknown) =>
                        setResult({ text: error instanceof Error ? error.message : String(error) }),
                      );
                      view.reload();
                    }}
                  >
                    Cancel
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
