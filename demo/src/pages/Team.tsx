import { useState } from 'preact/hooks';
import { inviteTeammate, revokeInvite } from '../actions';
import { Icon } from '../components/icons';
import { toast } from '../components/toast';
import {
  Avatar,
  controlProps,
  ErrorSummary,
  Field,
  focusFirstError,
  PageHeader,
  TextField,
} from '../components/ui';
import { useApp } from '../context';
import { isValidEmail, normalizeEmail } from '../lib/ids';
import { formatDate } from '../lib/money';
import { ROLE_LABELS, type Role } from '../types';

const INVITABLE_ROLES: ReadonlyArray<{ value: Role; description: string }> = [
  { value: 'member', description: 'Creates and sends invoices.' },
  { value: 'accountant', description: 'Reviews invoices and exports reports.' },
  { value: 'admin', description: 'Everything, including team and banking.' },
];

export function Team() {
  const { account, user } = useApp();
  const used = account.members.length + account.invites.length;

  return (
    <>
      <PageHeader
        title="Team"
        subtitle={`${used} of ${account.seats} trial seats in use at ${account.name}.`}
      />
      <div class="two-col">
        <div class="stack">
          <section class="card" aria-labelledby="members-title">
            <div class="card-header">
              <h2 id="members-title">
                Members <span class="count">{account.members.length}</span>
              </h2>
            </div>
            <ul class="people">
              {account.members.map((member) => (
                <li key={member.userId} class="person">
                  <Avatar name={member.name} />
                  <div class="person-text">
                    <span class="cell-title">
                      {member.name}
                      {member.userId === user.id && <span class="tag">You</span>}
                    </span>
                    <span class="cell-sub">{member.email}</span>
                  </div>
                  <span class={`role role-${member.role}`}>{ROLE_LABELS[member.role]}</span>
                  <span class="person-meta hide-sm">Joined {formatDate(member.joinedAt)}</span>
                </li>
              ))}
            </ul>
          </section>

          {account.invites.length > 0 && (
            <section class="card" aria-labelledby="invites-title">
              <div class="card-header">
                <h2 id="invites-title">
                  Pending invitations <span class="count">{account.invites.length}</span>
                </h2>
              </div>
              <ul class="people">
                {account.invites.map((invite) => (
                  <li key={invite.id} class="person">
                    <span class="avatar avatar-md avatar-pending" aria-hidden="true">
                      <Icon name="mail" size={16} />
                    </span>
                    <div class="person-text">
                      <span class="cell-title">{invite.email}</span>
                      <span class="cell-sub">Invited {formatDate(invite.invitedAt)}</span>
                    </div>
                    <span class={`role role-${invite.role}`}>{ROLE_LABELS[invite.role]}</span>
                    <button
                      type="button"
                      class="btn btn-ghost btn-sm"
                      aria-label={`Revoke invitation for ${invite.email}`}
                      onClick={() => {
                        revokeInvite(account.id, invite.id);
                        toast(`Invitation for ${invite.email} revoked`, 'info');
                        requestAnimationFrame(() => document.getElementById('invite-email')?.focus());
                      }}
                    >
                      Revoke
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>

        <InviteForm />
      </div>
    </>
  );
}

function InviteForm() {
  const { account, user } = useApp();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const seatsLeft = account.seats - account.members.length - account.invites.length;

  function onSubmit(event: Event) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const address = normalizeEmail(email);
    if (!address) found['invite-email'] = 'Enter your teammate’s email address.';
    else if (!isValidEmail(address)) found['invite-email'] = 'Enter an email address like name@company.com.';
    else if (account.members.some((m) => m.email === address))
      found['invite-email'] = 'This person is already on the team.';
    else if (account.invites.some((i) => i.email === address))
      found['invite-email'] = 'This person already has a pending invitation.';
    else if (seatsLeft <= 0)
      found['invite-email'] = `All ${account.seats} trial seats are taken. Revoke an invitation to free one.`;
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    inviteTeammate(account.id, user.id, { email: address, role });
    toast(`Invitation sent to ${address}`);
    setEmail('');
    setRole('member');
  }

  const roleHint = INVITABLE_ROLES.find((r) => r.value === role)?.description;

  return (
    <section class="card form-card invite-card" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite a teammate</h2>
      <p class="muted small">
        {seatsLeft > 0
          ? `${seatsLeft} ${seatsLeft === 1 ? 'seat' : 'seats'} left on your trial.`
          : 'No seats left.'}
      </p>
      <form class="form" data-tour="invite-form" onSubmit={onSubmit} noValidate>
        <ErrorSummary count={Object.keys(errors).length} />
        <TextField
          id="invite-email"
          label="Email address"
          type="email"
          autocomplete="off"
          placeholder="teammate@company.com"
          value={email}
          onValue={setEmail}
          error={errors['invite-email']}
        />
        <Field id="invite-role" label="Role" hint={roleHint}>
          <select
            {...controlProps('invite-role', undefined, roleHint)}
            value={role}
            onChange={(event) => setRole(event.currentTarget.value as Role)}
          >
            {INVITABLE_ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {ROLE_LABELS[r.value]}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="btn btn-primary btn-block" data-tour="invite-submit">
          <Icon name="mail" size={16} />
          Send invitation
        </button>
      </form>
    </section>
  );
}
