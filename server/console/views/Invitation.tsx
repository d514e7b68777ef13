import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, call, ok } from '../api.ts';
import { ErrorNote, Loading, useLoad } from '../components/ui.tsx';
import { base } from '../session.ts';
import { AuthPage, useSubmit } from './SignIn.tsx';

/**
 * An invitation link (`/app/invitations/:id`, sent by email or printed in the server log). Signed
 * out: sign in, or create an account with the invited email. Signed in: join the workspace.
 */
export function InvitationPage({ signedIn, onChange }: { signedIn: boolean; onChange(): Promise<void> }) {
  return signedIn ? <Join onJoined={onChange} /> : <SignInToJoin onSignedIn={onChange} />;
}

function SignInToJoin({ onSignedIn }: { onSignedIn(): Promise<void> }) {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-up');
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const { busy, error, submit } = useSubmit(async () => {
    if (mode === 'sign-up') await call('POST', '/api/auth/sign-up/email', form);
    else await call('POST', '/api/auth/sign-in/email', { email: form.email, password: form.password });
    await onSignedIn();
  });
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onInput: (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [key]: e.currentTarget.value }),
  });
  return (
    <AuthPage title="You are invited to a Waymark workspace">
      <p>
        {mode === 'sign-up'
          ? 'Create your account with the email the invitation was sent to.'
          : 'Sign in with the email the invitation was sent to.'}
      </p>
      <form onSubmit={submit}>
        {mode === 'sign-up' && (
          <label>
            Your name
            <input autoComplete="name" required {...field('name')} />
          </label>
        )}
        <label>
          Email
          <input type="email" autoComplete="username" required {...field('email')} />
        </label>
        <label>
          Password{mode === 'sign-up' ? ' (at least 8 characters)' : ''}
          <input
            type="password"
            autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
            minLength={8}
            required
            {...field('password')}
          />
        </label>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {mode === 'sign-up' ? 'Create my account' : 'Sign in'}
        </button>
      </form>
      <p>
        <button type="button" onClick={() => setMode(mode === 'sign-up' ? 'sign-in' : 'sign-up')}>
          {mode === 'sign-up' ? 'I already have an account' : 'I need an account'}
        </button>
      </p>
    </AuthPage>
  );
}

function Join({ onJoined }: { onJoined(): Promise<void> }) {
  const { params } = useRoute();
  const id = params.id ?? '';
  const received = api.v1.console.invitations[':invitationId'];
  const invitation = useLoad(() => ok(received.$get({ param: { invitationId: id } })), [id]);
  const { busy, error, submit } = useSubmit(async () => {
    // Joining also makes it the session's workspace.
    await ok(received.accept.$post({ param: { invitationId: id } }));
    await onJoined();
    location.assign(`${base}/`);
  });
  if (invitation.state === 'loading') return <Loading what="the invitation" />;
  if (invitation.state === 'error')
    return (
      <AuthPage title="This invitation cannot be used">
        <ErrorNote error={invitation.error} />
        <p>
          It may have expired, been cancelled, or been sent to another email than the one you are signed in
          with. Ask for a new one. <a href={`${base}/`}>Go to the console</a>
        </p>
      </AuthPage>
    );
  const { workspaceName, role, inviterEmail } = invitation.data;
  return (
    <AuthPage title={`Join ${workspaceName}`}>
      <p>
        {inviterEmail} invited you as {role === 'viewer' ? 'a viewer' : `an ${role}`}.
      </p>
      <form onSubmit={submit}>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          Join {workspaceName}
        </button>
      </form>
    </AuthPage>
  );
}
