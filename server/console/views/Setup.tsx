import { useState } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { AuthPage, useSubmit } from './SignIn.tsx';

/**
 * First run: an install with no owner yet creates its first owner and workspace here, and shows the
 * workspace's keys once (the secret key is stored only as a hash).
 */
export function Setup({ onDone }: { onDone(): Promise<void> }) {
  const [form, setForm] = useState({ name: '', email: '', password: '', workspaceName: '' });
  const [created, setCreated] = useState<{ publishableKey: string; secretKey: string } | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    setCreated(await ok(api.v1.setup.$post({ json: form })));
  });
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onInput: (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [key]: e.currentTarget.value }),
  });
  if (created)
    return (
      <AuthPage title="Your workspace is ready">
        <p>
          Keep the secret key now: it is shown this once. The publishable key goes in your app's script tag.
        </p>
        <dl class="keys">
          <dt>Publishable key</dt>
          <dd>
            <code>{created.publishableKey}</code>
          </dd>
          <dt>Secret key</dt>
          <dd>
            <code>{created.secretKey}</code>
          </dd>
        </dl>
        <button type="button" class="primary" onClick={() => onDone()}>
          Open the console
        </button>
      </AuthPage>
    );
  return (
    <AuthPage title="Set up Waymark">
      <p>This install has no workspace yet. Create the first one; you will be its owner.</p>
      <form onSubmit={submit}>
        <label>
          Your name
          <input autoComplete="name" required {...field('name')} />
        </label>
        <label>
          Email
          <input type="email" autoComplete="username" required {...field('email')} />
        </label>
        <label>
          Password (at least 8 characters)
          <input type="password" autoComplete="new-password" minLength={8} required {...field('password')} />
        </label>
        <label>
          Workspace name (your product or company)
          <input autoComplete="organization" required {...field('workspaceName')} />
        </label>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create the workspace'}
        </button>
      </form>
    </AuthPage>
  );
}
