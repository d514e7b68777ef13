import { useState } from 'preact/hooks';
import { signIn } from '../actions';
import { Icon, Logo } from '../components/icons';
import {
  Avatar,
  controlProps,
  ErrorSummary,
  Field,
  focusFirstError,
  TextField,
  useDocumentTitle,
} from '../components/ui';
import { fakeCompany, fakePerson, isValidEmail } from '../lib/ids';
import { safeNext } from '../lib/routes';
import { navigate, useLocation } from '../router';
import { getAccount, getLastAccount, recentUsers, type SignInInput } from '../store';
import { ROLE_LABELS } from '../types';

export function SignIn() {
  useDocumentTitle('Sign in');
  const { search } = useLocation();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [company, setCompany] = useState('');
  /** Days since the user signed up: a returning customer is old enough to be asked the NPS survey. */
  const [since, setSince] = useState('0');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitted, setSubmitted] = useState(false);

  const lastAccount = getLastAccount();
  const lastAccountData = lastAccount ? getAccount(lastAccount.id) : null;
  const invites = lastAccountData?.invites ?? [];
  const recent = recentUsers();

  function go(input: SignInInput) {
    signIn(input);
    navigate(safeNext(search.get('next')));
  }

  function validate(): Record<string, string> {
    const next: Record<string, string> = {};
    if (!name.trim()) next['signin-name'] = 'Enter your name.';
    if (!email.trim()) next['signin-email'] = 'Enter your work email.';
    else if (!isValidEmail(email)) next['signin-email'] = 'Enter an email address like name@company.com.';
    if (!company.trim()) next['signin-company'] = 'Enter your company name.';
    else if (!/[a-z0-9]/i.test(company))
      next['signin-company'] = 'Use at least one letter or digit in the company name.';
    return next;
  }

  function onSubmit(event: Event) {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setSubmitted(true);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    const days = Number(since);
    go({
      name,
      email,
      company,
      createdAt: days ? new Date(Date.now() - days * 86_400_000).toISOString() : undefined,
    });
  }

  const liveErrors = submitted ? errors : {};

  return (
    <div class="signin-page">
      <main class="signin-card" id="main">
        <div class="signin-brand">
          <Logo />
          <span class="brand-name">Ledgerly</span>
        </div>
        <h1 id="page-title" tabIndex={-1}>
          Sign in to Ledgerly
        </h1>
        <p class="muted">Invoicing for small teams. This is a demo: any name and email will do.</p>

        <form class="form" onSubmit={onSubmit} noValidate>
          <ErrorSummary count={Object.keys(liveErrors).length} />
          <TextField
            id="signin-name"
            label="Full name"
            autocomplete="name"
            value={name}
            onValue={setName}
            error={liveErrors['signin-name']}
          />
          <TextField
            id="signin-email"
            label="Work email"
            type="email"
            autocomplete="email"
            value={email}
            onValue={setEmail}
            error={liveErrors['signin-email']}
          />
          <TextField
            id="signin-company"
            label="Company name"
            autocomplete="organization"
            hint="Colleagues who type the same company name share its invoices and customers."
            value={company}
            onValue={setCompany}
            error={liveErrors['signin-company']}
          />
          <Field id="signin-since" label="Customer since" hint={sinceHint}>
            <select
              {...controlProps('signin-since', undefined, sinceHint)}
              value={since}
              onChange={(event) => setSince(event.currentTarget.value)}
            >
              <option value="0">Today (new customer)</option>
              <option value="60">60 days ago (returning customer)</option>
            </select>
          </Field>
          <button type="submit" class="btn btn-primary btn-block">
            Sign in
          </button>
        </form>

        <div class="divider">
          <span>or try it in one click</span>
        </div>

        <div class="quick-actions">
          <button
            type="button"
            class="btn btn-secondary btn-block"
            onClick={() => {
              const newCompany = fakeCompany();
              go({ ...fakePerson(newCompany), company: newCompany });
            }}
          >
            <Icon name="plus" size={16} />
            New user at a new company
          </button>
          {lastAccount && (
            <button
              type="button"
              class="btn btn-secondary btn-block"
              onClick={() => go({ ...fakePerson(lastAccount.name), company: lastAccount.name })}
            >
              <Icon name="team" size={16} />
              Another user at {lastAccount.name}
            </button>
          )}
        </div>

        {invites.length > 0 && lastAccount && (
          <section class="signin-list" aria-labelledby="signin-invites">
            <h2 id="signin-invites">Invited to {lastAccount.name}</h2>
            <ul>
              {invites.slice(0, 4).map((invite) => (
                <li key={invite.id}>
                  <button
                    type="button"
                    class="list-button"
                    onClick={() =>
                      go({
                        name: nameFromEmail(invite.email),
                        email: invite.email,
                        company: lastAccount.name,
                      })
                    }
                  >
                    <Icon name="mail" />
                    <span class="list-button-text">
                      <span>Accept invite as {invite.email}</span>
                      <span class="muted small">{ROLE_LABELS[invite.role]}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}

        {recent.length > 0 && (
          <section class="signin-list" aria-labelledby="signin-recent">
            <h2 id="signin-recent">Signed in before on this browser</h2>
            <ul>
              {recent.map((user) => (
                <li key={user.id}>
                  <button
                    type="button"
                    class="list-button"
                    onClick={() =>
                      go({ name: user.name, email: user.email, company: user.lastCompany ?? '' })
                    }
                  >
                    <Avatar name={user.name} size="sm" />
                    <span class="list-button-text">
                      <span>Continue as {user.name}</span>
                      <span class="muted small">
                        {user.email} · {user.lastCompany}
                      </span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </main>
    </div>
  );
}

const sinceHint = 'Returning customers may be asked for feedback.';

/** "ana.lopez42@acme.example" -> "Ana Lopez". */
function nameFromEmail(email: string): string {
  const local = email.split('@')[0] ?? email;
  const words = local
    .replace(/\d+/g, '')
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return words.join(' ') || local;
}
