import { useEffect, useState } from 'preact/hooks';
import { createCustomer } from '../actions';
import { Icon } from '../components/icons';
import { toast } from '../components/toast';
import { EmptyState, ErrorSummary, focusFirstError, PageHeader, TextField } from '../components/ui';
import { useApp } from '../context';
import { isValidEmail, normalizeEmail } from '../lib/ids';
import { displayStatus, formatCents, formatDate, invoiceTotalCents, todayISO } from '../lib/money';
import { navigate, useLocation } from '../router';
import type { Account, Customer } from '../types';

export function Customers() {
  const { account } = useApp();
  const { search } = useLocation();
  const [formOpen, setFormOpen] = useState(search.get('new') === '1');
  const [highlight, setHighlight] = useState<string | null>(null);
  const returnToInvoice = search.get('next') === 'invoice';

  return (
    <>
      <PageHeader
        title="Customers"
        subtitle="The people and companies you bill."
        actions={
          <button
            type="button"
            class="btn btn-primary"
            data-tour="new-customer"
            aria-expanded={formOpen}
            aria-controls="customer-form"
            onClick={() => {
              setFormOpen(true);
              requestAnimationFrame(() => document.getElementById('customer-name')?.focus());
            }}
          >
            <Icon name="plus" size={16} />
            New customer
          </button>
        }
      />

      {formOpen && (
        <CustomerForm
          account={account}
          onCancel={() => setFormOpen(false)}
          onCreated={(customer) => {
            setFormOpen(false);
            toast(`${customer.name} added`);
            if (returnToInvoice) navigate(`/invoices/new?customer=${encodeURIComponent(customer.id)}`);
            else setHighlight(customer.id);
          }}
        />
      )}

      <section class="card" aria-labelledby="customers-title">
        <div class="card-header">
          <h2 id="customers-title">
            All customers <span class="count">{account.customers.length}</span>
          </h2>
        </div>
        {account.customers.length === 0 ? (
          <EmptyState icon="customers" title="No customers yet">
            <p class="muted">Add your first customer to start sending invoices.</p>
          </EmptyState>
        ) : (
          <CustomerTable account={account} highlight={highlight} />
        )}
      </section>
    </>
  );
}

function CustomerTable({ account, highlight }: { account: Account; highlight: string | null }) {
  const today = todayISO();
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="sr-only">Customers</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" class="hide-sm">
              Email
            </th>
            <th scope="col" class="num">
              Invoices
            </th>
            <th scope="col" class="num">
              Balance due
            </th>
            <th scope="col" class="hide-sm">
              Added
            </th>
          </tr>
        </thead>
        <tbody>
          {account.customers.map((customer) => {
            const invoices = account.invoices.filter((i) => i.customerId === customer.id);
            const due = invoices
              .filter((i) => ['sent', 'overdue'].includes(displayStatus(i, today)))
              .reduce((sum, i) => sum + invoiceTotalCents(i), 0);
            return (
              <tr key={customer.id} class={highlight === customer.id ? 'row-new' : undefined}>
                <th scope="row">
                  <span class="cell-title">{customer.name}</span>
                  <span class="cell-sub show-sm">{customer.email}</span>
                </th>
                <td class="hide-sm">{customer.email}</td>
                <td class="num">{invoices.length}</td>
                <td class="num">{formatCents(due)}</td>
                <td class="hide-sm">{formatDate(customer.createdAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CustomerForm(props: {
  account: Account;
  onCancel: () => void;
  onCreated: (customer: Customer) => void;
}) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    document.getElementById('customer-name')?.focus();
  }, []);

  function onSubmit(event: Event) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found['customer-name'] = 'Enter the customer’s name.';
    else if (name.trim().length > 120) found['customer-name'] = 'Keep the name under 120 characters.';
    if (!email.trim()) found['customer-email'] = 'Enter the email address invoices go to.';
    else if (!isValidEmail(email))
      found['customer-email'] = 'Enter an email address like billing@company.com.';
    else if (props.account.customers.some((c) => c.email === normalizeEmail(email)))
      found['customer-email'] = 'You already have a customer with this email.';
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    props.onCreated(createCustomer(props.account.id, { name, email }));
  }

  return (
    <section class="card form-card" aria-labelledby="customer-form-title">
      <h2 id="customer-form-title">New customer</h2>
      <form id="customer-form" class="form" data-tour="customer-form" onSubmit={onSubmit} noValidate>
        <ErrorSummary count={Object.keys(errors).length} />
        <div class="form-row">
          <TextField
            id="customer-name"
            label="Customer name"
            autocomplete="organization"
            placeholder="Globex Corporation"
            value={name}
            onValue={setName}
            error={errors['customer-name']}
          />
          <TextField
            id="customer-email"
            label="Billing email"
            type="email"
            autocomplete="email"
            placeholder="billing@globex.example"
            value={email}
            onValue={setEmail}
            error={errors['customer-email']}
          />
        </div>
        <div class="form-actions">
          <button type="button" class="btn btn-ghost" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" data-tour="save-customer">
            Save customer
          </button>
        </div>
      </form>
    </section>
  );
}
