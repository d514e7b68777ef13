import { displayStatus, formatCents, formatDate, invoiceTotalCents } from '../lib/money';
import { Link } from '../router';
import type { Customer, Invoice } from '../types';
import { StatusBadge } from './ui';

export function InvoiceTable(props: {
  invoices: readonly Invoice[];
  customers: readonly Customer[];
  today: string;
  caption: string;
  showIssued?: boolean;
}) {
  const customerName = (id: string) => props.customers.find((c) => c.id === id)?.name ?? 'Deleted customer';
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Invoice</th>
            <th scope="col">Customer</th>
            {props.showIssued && (
              <th scope="col" class="hide-sm">
                Issued
              </th>
            )}
            <th scope="col" class="hide-sm">
              Due
            </th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.invoices.map((invoice) => (
            <tr key={invoice.id}>
              <th scope="row">
                <Link href={`/invoices/${invoice.id}`} class="strong-link">
                  {invoice.number}
                </Link>
              </th>
              <td>{customerName(invoice.customerId)}</td>
              {props.showIssued && <td class="hide-sm">{formatDate(invoice.issueDate)}</td>}
              <td class="hide-sm">{formatDate(invoice.dueDate)}</td>
              <td class="num">{formatCents(invoiceTotalCents(invoice))}</td>
              <td>
                <StatusBadge status={displayStatus(invoice, props.today)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
