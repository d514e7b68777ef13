import { InvoiceTable } from '../components/InvoiceTable';
import { Icon } from '../components/icons';
import { EmptyState, PageHeader } from '../components/ui';
import { useApp } from '../context';
import { firstName } from '../lib/ids';
import { type Bucket, formatCents, summarizeInvoices, todayISO } from '../lib/money';
import { Link } from '../router';

function greeting(hour: number): string {
  if (hour < 12) return 'Good morning';
  if (hour < 18) return 'Good afternoon';
  return 'Good evening';
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function Stat(props: { label: string; bucket: Bucket; note: string; tone: string }) {
  return (
    <div class={`card stat stat-${props.tone}`}>
      <p class="stat-label">{props.label}</p>
      <p class="stat-value">{formatCents(props.bucket.cents)}</p>
      <p class="stat-note">{props.note}</p>
    </div>
  );
}

export function Dashboard() {
  const { user, account } = useApp();
  const today = todayISO();
  const summary = summarizeInvoices(account.invoices, today);
  const isNew = account.invoices.length === 0 && account.customers.length === 0;

  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle={`${greeting(new Date().getHours())}, ${firstName(user.name)}. Here is where ${account.name} stands.`}
        actions={
          <Link href="/invoices/new" class="btn btn-primary" data-tour="create-invoice">
            <Icon name="plus" size={16} />
            New invoice
          </Link>
        }
      />

      {isNew ? (
        <section class="card getting-started" aria-labelledby="getting-started-title">
          <h2 id="getting-started-title">Get paid in three steps</h2>
          <p class="muted">
            Your workspace is empty. Add who you bill, send them an invoice, and watch the money come in here.
          </p>
          <ol class="steps">
            <li>
              <span class="step-number" aria-hidden="true">
                1
              </span>
              <div>
                <h3>Add a customer</h3>
                <p class="muted">A name and an email address is all it takes.</p>
                <Link href="/customers?new=1" class="btn btn-secondary btn-sm">
                  Add a customer
                </Link>
              </div>
            </li>
            <li>
              <span class="step-number" aria-hidden="true">
                2
              </span>
              <div>
                <h3>Create an invoice</h3>
                <p class="muted">List what you did, set a due date.</p>
              </div>
            </li>
            <li>
              <span class="step-number" aria-hidden="true">
                3
              </span>
              <div>
                <h3>Send it and get paid</h3>
                <p class="muted">Connect a bank account in Settings to receive payouts.</p>
              </div>
            </li>
          </ol>
        </section>
      ) : (
        <>
          <section class="stats" aria-label="Totals">
            <Stat
              label="Outstanding"
              bucket={summary.outstanding}
              tone="outstanding"
              note={`${plural(summary.outstanding.count, 'invoice')} awaiting payment`}
            />
            <Stat
              label="Overdue"
              bucket={summary.overdue}
              tone="overdue"
              note={
                summary.overdue.count
                  ? `${plural(summary.overdue.count, 'invoice')} past due`
                  : 'Nothing past due'
              }
            />
            <Stat
              label="Paid"
              bucket={summary.paid}
              tone="paid"
              note={`${plural(summary.paid.count, 'invoice')} paid`}
            />
          </section>
          {summary.draft.count > 0 && (
            <p class="notice">
              You have {plural(summary.draft.count, 'draft')} worth {formatCents(summary.draft.cents)} not
              sent yet. <Link href="/invoices?status=draft">Review drafts</Link>
            </p>
          )}
          <section class="card" aria-labelledby="recent-title">
            <div class="card-header">
              <h2 id="recent-title">Recent invoices</h2>
              {account.invoices.length > 0 && <Link href="/invoices">View all</Link>}
            </div>
            {account.invoices.length > 0 ? (
              <InvoiceTable
                invoices={account.invoices.slice(0, 5)}
                customers={account.customers}
                today={today}
                caption="Five most recent invoices"
              />
            ) : (
              <EmptyState icon="invoices" title="No invoices yet">
                <p class="muted">
                  You have {plural(account.customers.length, 'customer')}. Bill one of them.
                </p>
              </EmptyState>
            )}
          </section>
        </>
      )}
    </>
  );
}
