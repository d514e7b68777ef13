import { markInvoicePaid, sendInvoice } from '../actions';
import { Icon } from '../components/icons';
import { toast } from '../components/toast';
import { EmptyState, PageHeader, StatusBadge } from '../components/ui';
import { useApp } from '../context';
import {
  daysBetween,
  displayStatus,
  formatCents,
  formatDate,
  invoiceTotalCents,
  lineTotalCents,
  todayISO,
} from '../lib/money';
import { Link } from '../router';

function BackLink() {
  return (
    <Link href="/invoices" class="back-link">
      <Icon name="arrowLeft" size={16} />
      Invoices
    </Link>
  );
}

/** The clicked button disappears once the status changes: move focus somewhere sensible instead of <body>. */
function keepFocus(selector: string): void {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(selector)?.focus());
}

function dueNote(dueDate: string, today: string): string {
  const days = daysBetween(today, dueDate);
  if (days === 0) return 'Due today';
  if (days > 0) return `Due in ${days} ${days === 1 ? 'day' : 'days'}`;
  return `${-days} ${days === -1 ? 'day' : 'days'} overdue`;
}

export function InvoiceDetail({ id }: { id: string }) {
  const { account } = useApp();
  const invoice = account.invoices.find((i) => i.id === id);

  if (!invoice) {
    return (
      <>
        <PageHeader title="Invoice not found" back={<BackLink />} />
        <section class="card">
          <EmptyState icon="invoices" title="We couldn’t find that invoice">
            <p class="muted">It may belong to another company, or the link is wrong.</p>
            <Link href="/invoices" class="btn btn-secondary">
              Back to invoices
            </Link>
          </EmptyState>
        </section>
      </>
    );
  }

  const today = todayISO();
  const status = displayStatus(invoice, today);
  const total = invoiceTotalCents(invoice);
  const customer = account.customers.find((c) => c.id === invoice.customerId);
  const creator = account.members.find((m) => m.userId === invoice.createdBy);

  const subtitle =
    status === 'paid'
      ? `Paid ${formatDate(invoice.paidAt ?? today)}`
      : status === 'draft'
        ? 'Draft: not sent yet'
        : dueNote(invoice.dueDate, today);

  return (
    <>
      <PageHeader
        title={`Invoice ${invoice.number}`}
        badge={<StatusBadge status={status} />}
        subtitle={`${customer?.name ?? 'Deleted customer'} · ${formatCents(total)} · ${subtitle}`}
        back={<BackLink />}
        actions={
          <>
            {status === 'draft' && (
              <button
                type="button"
                class="btn btn-primary"
                data-tour="send-invoice"
                onClick={() => {
                  sendInvoice(account.id, invoice.id);
                  toast(`Invoice ${invoice.number} sent to ${customer?.email ?? 'the customer'}`);
                  keepFocus('[data-tour="mark-paid"]');
                }}
              >
                <Icon name="send" size={16} />
                Send invoice
              </button>
            )}
            {(status === 'sent' || status === 'overdue') && (
              <button
                type="button"
                class="btn btn-primary"
                data-tour="mark-paid"
                onClick={() => {
                  markInvoicePaid(account.id, invoice.id);
                  toast(`Invoice ${invoice.number} marked as paid`);
                  keepFocus('#page-title');
                }}
              >
                <Icon name="check" size={16} />
                Mark as paid
              </button>
            )}
          </>
        }
      />

      <div class="detail-grid">
        <article class="card invoice-doc" aria-label={`Invoice ${invoice.number}`}>
          <div class="doc-head">
            <div>
              <p class="doc-label">From</p>
              <p class="doc-strong">{account.name}</p>
              {account.profile.address && <p class="doc-pre">{account.profile.address}</p>}
              {account.profile.billingEmail && <p class="muted">{account.profile.billingEmail}</p>}
            </div>
            <div>
              <p class="doc-label">Bill to</p>
              <p class="doc-strong">{customer?.name ?? 'Deleted customer'}</p>
              {customer && <p class="muted">{customer.email}</p>}
            </div>
            <dl class="doc-meta">
              <div>
                <dt>Invoice</dt>
                <dd>{invoice.number}</dd>
              </div>
              <div>
                <dt>Issued</dt>
                <dd>{formatDate(invoice.issueDate)}</dd>
              </div>
              <div>
                <dt>Due</dt>
                <dd>{formatDate(invoice.dueDate)}</dd>
              </div>
            </dl>
          </div>
          <div class="table-wrap">
            <table class="table doc-table">
              <caption class="sr-only">Line items</caption>
              <thead>
                <tr>
                  <th scope="col">Description</th>
                  <th scope="col" class="num">
                    Qty
                  </th>
                  <th scope="col" class="num">
                    Unit price
                  </th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {invoice.lineItems.map((item, index) => (
                  <tr key={index}>
                    <td>{item.description}</td>
                    <td class="num">{item.quantity}</td>
                    <td class="num">{formatCents(item.unitPriceCents)}</td>
                    <td class="num">{formatCents(lineTotalCents(item))}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={3} class="num">
                    Amount due (USD)
                  </th>
                  <td class="num doc-total">{status === 'paid' ? formatCents(0) : formatCents(total)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
          {account.bank ? (
            <p class="doc-footnote">
              Pay by bank transfer to {account.bank.bank} account ending {account.bank.last4}.
            </p>
          ) : (
            <p class="doc-footnote">
              No payout account yet. <Link href="/settings">Connect a bank account</Link> so customers can pay
              you.
            </p>
          )}
        </article>

        <aside class="card activity" aria-labelledby="activity-title">
          <h2 id="activity-title">Activity</h2>
          <ol class="timeline">
            {invoice.paidAt && (
              <li>
                <span class="dot dot-paid" aria-hidden="true" />
                <div>
                  <p>Marked as paid</p>
                  <p class="muted small">{formatDate(invoice.paidAt)}</p>
                </div>
              </li>
            )}
            {invoice.sentAt && (
              <li>
                <span class="dot dot-sent" aria-hidden="true" />
                <div>
                  <p>Sent to {customer?.email ?? 'customer'}</p>
                  <p class="muted small">{formatDate(invoice.sentAt)}</p>
                </div>
              </li>
            )}
            <li>
              <span class="dot" aria-hidden="true" />
              <div>
                <p>Created{creator ? ` by ${creator.name}` : ''}</p>
                <p class="muted small">{formatDate(invoice.createdAt)}</p>
              </div>
            </li>
          </ol>
        </aside>
      </div>
    </>
  );
}
