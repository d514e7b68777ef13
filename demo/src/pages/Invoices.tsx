import { exportInvoices } from '../actions';
import { InvoiceTable } from '../components/InvoiceTable';
import { Icon } from '../components/icons';
import { toast } from '../components/toast';
import { EmptyState, PageHeader } from '../components/ui';
import { useApp } from '../context';
import {
  centsToAmount,
  type DisplayStatus,
  displayStatus,
  invoiceTotalCents,
  toCsv,
  todayISO,
} from '../lib/money';
import { Link, navigate, useLocation } from '../router';
import type { Account } from '../types';

const FILTERS: ReadonlyArray<{ value: DisplayStatus | 'all'; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'draft', label: 'Drafts' },
  { value: 'sent', label: 'Outstanding' },
  { value: 'overdue', label: 'Overdue' },
  { value: 'paid', label: 'Paid' },
];

function downloadCsv(account: Account, today: string): void {
  const customerName = (id: string) => account.customers.find((c) => c.id === id)?.name ?? '';
  const rows = [
    ['Invoice', 'Customer', 'Issued', 'Due', 'Status', 'Amount (USD)'],
    ...account.invoices.map((i) => [
      i.number,
      customerName(i.customerId),
      i.issueDate,
      i.dueDate,
      displayStatus(i, today),
      centsToAmount(invoiceTotalCents(i)).toFixed(2),
    ]),
  ];
  const url = URL.createObjectURL(new Blob([toCsv(rows)], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `ledgerly-invoices-${today}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function Invoices() {
  const { account } = useApp();
  const { search } = useLocation();
  const today = todayISO();
  const requested = search.get('status');
  const filter = FILTERS.find((f) => f.value === requested)?.value ?? 'all';
  const shown =
    filter === 'all' ? account.invoices : account.invoices.filter((i) => displayStatus(i, today) === filter);

  return (
    <>
      <PageHeader
        title="Invoices"
        subtitle="Create, send and track every invoice."
        actions={
          <>
            <button
              type="button"
              class="btn btn-secondary"
              data-tour="export"
              onClick={() => {
                if (account.invoices.length === 0) {
                  toast('There are no invoices to export yet.', 'info');
                  return;
                }
                downloadCsv(account, today);
                exportInvoices(account.invoices.length);
                toast(`Exported ${account.invoices.length} invoices as CSV`, 'info');
              }}
            >
              <Icon name="download" size={16} />
              Export CSV
            </button>
            <Link href="/invoices/new" class="btn btn-primary" data-tour="create-invoice">
              <Icon name="plus" size={16} />
              New invoice
            </Link>
          </>
        }
      />

      <section class="card" aria-labelledby="invoices-title">
        <div class="card-header">
          <h2 id="invoices-title" class="sr-only">
            Invoice list
          </h2>
          {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of toggle buttons, not a form fieldset. */}
          <div class="segmented" role="group" aria-label="Filter by status" data-tour="invoice-filters">
            {FILTERS.map((f) => (
              <button
                key={f.value}
                type="button"
                class="segment"
                aria-pressed={filter === f.value}
                onClick={() =>
                  navigate(f.value === 'all' ? '/invoices' : `/invoices?status=${f.value}`, { replace: true })
                }
              >
                {f.label}
              </button>
            ))}
          </div>
        </div>
        {account.invoices.length === 0 ? (
          <EmptyState icon="invoices" title="No invoices yet">
            <p class="muted">
              {account.customers.length === 0
                ? 'Add a customer first, then create your first invoice.'
                : 'Create your first invoice and send it in a minute.'}
            </p>
          </EmptyState>
        ) : shown.length === 0 ? (
          <EmptyState icon="invoices" title="Nothing here">
            <p class="muted">No invoices match this filter.</p>
          </EmptyState>
        ) : (
          <InvoiceTable
            invoices={shown}
            customers={account.customers}
            today={today}
            caption="Invoices"
            showIssued
          />
        )}
      </section>
    </>
  );
}
