import { useState } from 'preact/hooks';
import { connectBank, disconnectBank, updateCompany } from '../actions';
import { Icon } from '../components/icons';
import { toast } from '../components/toast';
import {
  controlProps,
  ErrorSummary,
  Field,
  focusFirstError,
  Modal,
  PageHeader,
  TextField,
} from '../components/ui';
import { useApp } from '../context';
import { isValidEmail } from '../lib/ids';
import { formatDate } from '../lib/money';
import type { Account } from '../types';

export function Settings() {
  const { account } = useApp();
  return (
    <>
      <PageHeader title="Settings" subtitle="Your company details and where payouts go." />
      <div class="stack">
        <CompanyProfileForm account={account} key={account.id} />
        <Banking account={account} />
      </div>
    </>
  );
}

function CompanyProfileForm({ account }: { account: Account }) {
  const [name, setName] = useState(account.name);
  const [billingEmail, setBillingEmail] = useState(account.profile.billingEmail);
  const [address, setAddress] = useState(account.profile.address);
  const [taxId, setTaxId] = useState(account.profile.taxId);
  const [errors, setErrors] = useState<Record<string, string>>({});

  function onSubmit(event: Event) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found['company-name'] = 'Enter your company name.';
    if (billingEmail.trim() && !isValidEmail(billingEmail))
      found['company-email'] = 'Enter an email address like billing@company.com, or leave it empty.';
    if (address.length > 300) found['company-address'] = 'Keep the address under 300 characters.';
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    updateCompany(account.id, { name, profile: { billingEmail, address, taxId } });
    toast('Company profile saved');
  }

  return (
    <section class="card" aria-labelledby="company-title">
      <div class="card-header">
        <div>
          <h2 id="company-title">Company profile</h2>
          <p class="muted small">Shown on every invoice you send.</p>
        </div>
      </div>
      <form class="form" onSubmit={onSubmit} noValidate>
        <ErrorSummary count={Object.keys(errors).length} />
        <div class="form-row">
          <TextField
            id="company-name"
            label="Company name"
            autocomplete="organization"
            value={name}
            onValue={setName}
            error={errors['company-name']}
          />
          <TextField
            id="company-email"
            label="Billing email"
            type="email"
            optional
            placeholder="billing@company.com"
            value={billingEmail}
            onValue={setBillingEmail}
            error={errors['company-email']}
          />
        </div>
        <div class="form-row">
          <Field id="company-address" label="Address" optional error={errors['company-address']}>
            <textarea
              {...controlProps('company-address', errors['company-address'])}
              rows={3}
              autocomplete="street-address"
              value={address}
              onInput={(event) => setAddress(event.currentTarget.value)}
            />
          </Field>
          <TextField id="company-tax" label="Tax ID" optional value={taxId} onValue={setTaxId} />
        </div>
        <dl class="facts">
          <div>
            <dt>Account ID</dt>
            <dd>
              <code>{account.id}</code>
            </dd>
          </div>
          <div>
            <dt>Plan</dt>
            <dd>Trial · {account.seats} seats</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDate(account.createdAt)}</dd>
          </div>
        </dl>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">
            Save changes
          </button>
        </div>
      </form>
    </section>
  );
}

export const BANKS = [
  'Chase',
  'Bank of America',
  'Wells Fargo',
  'Citibank',
  'Mercury',
  'Capital One',
] as const;

function Banking({ account }: { account: Account }) {
  const [open, setOpen] = useState(false);
  const bank = account.bank;
  return (
    <section class="card" aria-labelledby="banking-title">
      <div class="card-header">
        <div>
          <h2 id="banking-title">Banking</h2>
          <p class="muted small">Where customer payments are paid out.</p>
        </div>
      </div>
      {bank ? (
        <div class="bank-row">
          <span class="bank-logo" aria-hidden="true">
            <Icon name="bank" />
          </span>
          <div class="bank-text">
            <span class="cell-title">
              {bank.bank} •••• {bank.last4}
            </span>
            <span class="cell-sub">Connected {formatDate(bank.connectedAt)}</span>
          </div>
          <span class="badge badge-paid">Connected</span>
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            onClick={() => {
              disconnectBank(account.id);
              toast(`${bank.bank} disconnected`, 'info');
              requestAnimationFrame(() =>
                document.querySelector<HTMLElement>('[data-tour="connect-bank"]')?.focus(),
              );
            }}
          >
            Disconnect
          </button>
        </div>
      ) : (
        <div class="bank-row bank-empty">
          <span class="bank-logo" aria-hidden="true">
            <Icon name="bank" />
          </span>
          <div class="bank-text">
            <span class="cell-title">No bank account connected</span>
            <span class="cell-sub">Connect one to get paid by bank transfer.</span>
          </div>
          <button
            type="button"
            class="btn btn-primary"
            data-tour="connect-bank"
            onClick={() => setOpen(true)}
          >
            Connect bank account
          </button>
        </div>
      )}
      <Modal open={open} title="Connect a bank account" onClose={() => setOpen(false)}>
        <BankPicker
          onDone={(bankName, accountNumber) => {
            connectBank(account.id, bankName, accountNumber);
            setOpen(false);
            toast(`${bankName} connected`);
          }}
          onCancel={() => setOpen(false)}
        />
      </Modal>
    </section>
  );
}

function BankPicker(props: { onDone: (bank: string, accountNumber: string) => void; onCancel: () => void }) {
  const [bank, setBank] = useState<string | null>(null);
  const [accountNumber, setAccountNumber] = useState('');
  const [error, setError] = useState<string | undefined>();

  if (!bank) {
    return (
      <div class="bank-picker">
        <p class="muted">Choose your bank. This is a demo: nothing is really connected.</p>
        <ul class="bank-grid">
          {BANKS.map((name) => (
            <li key={name}>
              <button
                type="button"
                class="bank-choice"
                data-tour={`bank-${name.toLowerCase().replace(/\s+/g, '-')}`}
                onClick={() => {
                  setBank(name);
                  requestAnimationFrame(() => document.getElementById('bank-account-number')?.focus());
                }}
              >
                <span class="bank-logo" aria-hidden="true">
                  {name.charAt(0)}
                </span>
                {name}
              </button>
            </li>
          ))}
        </ul>
        <div class="form-actions">
          <button type="button" class="btn btn-ghost" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </div>
    );
  }

  return (
    <form
      class="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const digits = accountNumber.replace(/[\s-]/g, '');
        const problem = !digits
          ? 'Enter your account number.'
          : !/^\d{6,17}$/.test(digits)
            ? 'Account numbers are 6 to 17 digits.'
            : undefined;
        setError(problem);
        if (problem) {
          document.getElementById('bank-account-number')?.focus();
          return;
        }
        props.onDone(bank, digits);
      }}
    >
      <p class="bank-selected">
        <span class="bank-logo" aria-hidden="true">
          {bank.charAt(0)}
        </span>
        <span>
          <span class="cell-title">{bank}</span>
          <span class="cell-sub">Checking account</span>
        </span>
      </p>
      <TextField
        id="bank-account-number"
        label="Account number"
        inputMode="numeric"
        autocomplete="off"
        hint="Any 6 to 17 digits, for example 000123456789."
        value={accountNumber}
        onValue={setAccountNumber}
        error={error}
      />
      <div class="form-actions">
        <button
          type="button"
          class="btn btn-ghost"
          onClick={() => {
            setBank(null);
            setError(undefined);
            requestAnimationFrame(() => document.querySelector<HTMLElement>('.bank-choice')?.focus());
          }}
        >
          Back
        </button>
        <button type="submit" class="btn btn-primary" data-tour="confirm-bank">
          Connect {bank}
        </button>
      </div>
    </form>
  );
}
