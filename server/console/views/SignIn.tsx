import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiFailure, call } from '../api.ts';
import { base } from '../session.ts';

/** A form that posts once at a time and says what went wrong in words, next to the button. */
export function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

function messageOf(failure: unknown): string {
  if (failure instanceof ApiFailure) {
    if (failure.status === 429) return 'Too many attempts. Wait a few minutes, then try again.';
    const fields = failure.problem?.errors?.map(
      (e) => `${e.pointer.replace(/^\//, '') || 'request'} ${e.detail}`,
    );
    if (fields?.length) return fields.join('; ');
    return failure.message;
  }
  return 'The server could not be reached. Check your connection and try again.';
}

export function AuthPage({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <main id="main" class="auth">
      <p class="brand">Waymark</p>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

export function SignIn({ onSignedIn }: { onSignedIn(): Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await call('POST', '/api/auth/sign-in/email', { email, password });
    await onSignedIn();
  });
  return (
    <AuthPage title="Sign in to the console">
      <form onSubmit={submit}>
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <a href={`${base}/forgot-password`}>Forgot your password?</a>
      </p>
      <p class="muted">
        Running the demo? <code>npm start</code> printed the demo owner's email and password.
      </p>
    </AuthPage>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    await call('POST', '/api/auth/request-password-reset', {
      email,
      redirectTo: `${location.origin}${base}/reset-password`,
    });
    setSent(true);
  });
  return (
    <AuthPage title="Reset your password">
      {sent ? (
        <p role="status">
          If {email} has an account, a link to choose a new password is on its way. (Without a mail server
          configured, the link is printed in the server's log.)
        </p>
      ) : (
        <form onSubmit={submit}>
          <label>
            Email
            <input
              type="email"
              autoComplete="username"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </label>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="primary" disabled={busy}>
            Send the link
          </button>
        </form>
      )}
      <p>
        <a href={`${base}/sign-in`}>Back to sign-in</a>
      </p>
    </AuthPage>
  );
}

export function ResetPassword() {
  const { query } = useLocation();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    await call('POST', '/api/auth/reset-password', { newPassword: password, token: query.token ?? '' });
    setDone(true);
  });
  if (!query.token || query.error)
    return (
      <AuthPage title="This link does not work">
        <p>It has expired or was already used. Ask for a new one.</p>
        <p>
          <a href={`${base}/forgot-password`}>Send a new link</a>
        </p>
      </AuthPage>
    );
  return (
    <AuthPage title="Choose a new password">
      {done ? (
        <p role="status">
          Your password is changed. <a href={`${base}/sign-in`}>Sign in</a>
        </p>
      ) : (
        <form onSubmit={submit}>
          <label>
            New password (at least 8 characters)
            <input
              type="password"
              autoComplete="new-password"
              minLength={8}
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="primary" disabled={busy}>
            Save the new password
          </button>
        </form>
      )}
    </AuthPage>
  );
}
