import { useState } from 'preact/hooks';
import { call } from '../api.ts';
import { ErrorNote, Loading, TableWrap, useLoad } from '../components/ui.tsx';
import { date } from '../format.ts';
import { base, type Role, useSession } from '../session.ts';

/** better-auth's organization plugin (server/auth/auth.ts): members and invitations of a workspace. */
interface Member {
  id: string;
  role: string;
  createdAt: string;
  user: { name: string; email: string };
}
interface Invitation {
  id: string;
  email: string;
  role: string;
  status: string;
  expiresAt: string;
}

const roles: Role[] = ['viewer', 'editor', 'admin', 'owner'];
const roleWords: Record<Role, string> = {
  viewer: 'reads everything, changes nothing',
  editor: 'also authors content',
  admin: 'also keys, settings, members, webhooks',
  owner: 'everything',
};
const linkOf = (id: string) => `${location.origin}${base}/invitations/${encodeURIComponent(id)}`;

/** The workspace's team: who is in it with which role, the invitations pending, and an invitation by link. */
export default function Members() {
  const { workspace, can } = useSession();
  const admin = can('admin');
  const q = `organizationId=${encodeURIComponent(workspace.id)}`;
  const view = useLoad(
    () =>
      Promise.all([
        call<{ members: Member[] }>('GET', `/api/auth/organization/list-members?${q}`),
        admin
          ? call<Invitation[]>('GET', `/api/auth/organization/list-invitations?${q}`)
          : Promise.resolve([]),
      ]),
    [workspace.id, admin],
  );
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [result, setResult] = useState<{ text: string; link?: string } | null>(null);

  if (view.state === 'loading') return <Loading what="the team" />;
  if (view.state === 'error') return <ErrorNote error={view.error} retry={view.reload} />;
  const [{ members }, invitations] = view.data;
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
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id}>
                <th scope="row">{m.user.name}</th>
                <td>{m.user.email}</td>
                <td>
                  {m.role} <span class="muted">({roleWords[m.role as Role] ?? ''})</span>
                </td>
                <td>{date(m.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {admin && (
        <>
          <h2 id="invite">Invite someone</h2>
          <form
            class="filters"
            aria-labelledby="invite"
            onSubmit={async (e) => {
              e.preventDefault();
              try {
                const invitation = await call<Invitation>('POST', '/api/auth/organization/invite-member', {
                  email,
                  role,
                  organizationId: workspace.id,
                });
                setResult({
                  text: `Invited ${email} as ${role}. The link, also sent by email (or printed in the server's log):`,
                  link: linkOf(invitation.id),
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
                  {i.email} as {i.role}, until {date(i.expiresAt)}: <code>{linkOf(i.id)}</code>{' '}
                  <button
                    type="button"
                    onClick={async () => {
                      await call('POST', '/api/auth/organization/cancel-invitation', {
                        invitationId: i.id,
                      }).catch((error: unknown) =>
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
