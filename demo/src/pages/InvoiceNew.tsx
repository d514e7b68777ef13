import { useState } from 'preact/hooks';
import { createInvoice } from '../actions';
import { Icon } from '../components/icons';
import { toast } from '../components/toast';
import { controlProps, EmptyState, ErrorSummary, Field, focusFirstError, PageHeader } from '../components/ui';
import { useApp } from '../context';
import { randomId } from '../lib/ids';
import {
  draftTotalCents,
  type FormErrors,
  itemFieldId,
  type LineItemDraft,
  validateInvoiceDraft,
} from '../lib/invoiceForm';
import { addDays, formatCents, formatDate, parseMoneyToCents, parseQuantity, todayISO } from '../lib/money';
import { Link, navigate, useLocation } from '../router';

const newItem = (): LineItemDraft => ({ key: randomId('li', 6), description: '', quantity: '1', price: '' });

function BackLink() {
  return (
    <Link href="/invoices" class="back-link">
      <Icon name="arrowLeft" size={16} />
      Invoices
    </Link>
  );
}

export function InvoiceNew() {
  const { account, user } = useApp();
  const { search } = useLocation();
  const today = todayISO();
  const preselected = search.get('customer') ?? '';
  const [customerId, setCustomerId] = useState(
    account.customers.some((c) => c.id === preselected) ? preselected : '',
  );
  const [dueDate, setDueDate] = useState(addDays(today, 14));
  const [items, setItems] = useState<LineItemDraft[]>(() => [newItem()]);
  const [errors, setErrors] = useState<FormErrors>({});

  if (account.customers.length === 0) {
    return (
      <>
        <PageHeader title="New invoice" back={<BackLink />} />
        <section class="card">
          <EmptyState icon="customers" title="Add a customer first">
            <p class="muted">Every invoice is addressed to a customer. Add one, then come back here.</p>
            <Link href="/customers?new=1&next=invoice" class="btn btn-primary">
              Add a customer
            </Link>
          </EmptyState>
        </section>
      </>
    );
  }

  const updateItem = (key: string, change: Partial<LineItemDraft>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));

  function onSubmit(event: Event) {
    event.preventDefault();
    const result = validateInvoiceDraft(
      { customerId, dueDate, items },
      { today, customerIds: account.customers.map((c) => c.id) },
    );
    setErrors(result.errors);
    if (Object.keys(result.errors).length > 0) {
      focusFirstError(result.errors);
      return;
    }
    const invoice = createInvoice(account.id, user.id, {
      customerId,
      dueDate,
      issueDate: today,
      lineItems: result.lineItems,
    });
    toast(`Invoice ${invoice.number} saved as a draft`);
    navigate(`/invoices/${invoice.id}`);
  }

  const total = draftTotalCents(items);

  return (
    <>
      <PageHeader title="New invoice" subtitle={`Issued today, ${formatDate(today)}.`} back={<BackLink />} />
      <form class="card form invoice-form" onSubmit={onSubmit} noValidate data-tour="invoice-form">
        <ErrorSummary count={Object.keys(errors).length} />
        <div class="form-row">
          <Field id="invoice-customer" label="Customer" error={errors['invoice-customer']}>
            <select
              {...controlProps('invoice-customer', errors['invoice-customer'])}
              value={customerId}
              onChange={(event) => setCustomerId(event.currentTarget.value)}
            >
              <option value="">Choose a customer…</option>
              {account.customers.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
          <Field id="invoice-due" label="Due date" error={errors['invoice-due']}>
            <input
              {...controlProps('invoice-due', errors['invoice-due'])}
              type="date"
              min={today}
              value={dueDate}
              onInput={(event) => setDueDate(event.currentTarget.value)}
            />
          </Field>
        </div>

        <fieldset class="line-items">
          <legend>Line items</legend>
          {errors['invoice-items'] && (
            <p class="field-error" id="invoice-items" tabIndex={-1}>
              {errors['invoice-items']}
            </p>
          )}
          <div class="line-items-head" aria-hidden="true">
            <span>Description</span>
            <span>Qty</span>
            <span>Unit price</span>
            <span class="num">Amount</span>
            <span />
          </div>
          {items.map((item, index) => {
            const n = index + 1;
            const quantity = parseQuantity(item.quantity);
            const price = parseMoneyToCents(item.price);
            const amount = quantity !== null && price !== null ? Math.round(quantity * price) : null;
            const ids = {
              description: itemFieldId(item.key, 'description'),
              quantity: itemFieldId(item.key, 'quantity'),
              price: itemFieldId(item.key, 'price'),
            };
            return (
              <div class="line-item" key={item.key}>
                <Field id={ids.description} label={`Item ${n} description`} error={errors[ids.description]}>
                  <input
                    {...controlProps(ids.description, errors[ids.description])}
                    placeholder="Design work, March"
                    value={item.description}
                    onInput={(event) => updateItem(item.key, { description: event.currentTarget.value })}
                  />
                </Field>
                <Field id={ids.quantity} label={`Item ${n} quantity`} error={errors[ids.quantity]}>
                  <input
                    {...controlProps(ids.quantity, errors[ids.quantity])}
                    inputMode="decimal"
                    value={item.quantity}
                    onInput={(event) => updateItem(item.key, { quantity: event.currentTarget.value })}
                  />
                </Field>
                <Field id={ids.price} label={`Item ${n} unit price (USD)`} error={errors[ids.price]}>
                  <div class="input-prefix">
                    <span aria-hidden="true">$</span>
                    <input
                      {...controlProps(ids.price, errors[ids.price])}
                      inputMode="decimal"
                      placeholder="0.00"
                      value={item.price}
                      onInput={(event) => updateItem(item.key, { price: event.currentTarget.value })}
                    />
                  </div>
                </Field>
                <p class="line-amount num">
                  <span class="sr-only">Item {n} amount: </span>
                  {amount === null ? '—' : formatCents(amount)}
                </p>
                <button
                  type="button"
                  class="icon-button remove-item"
                  aria-label={`Remove item ${n}`}
                  disabled={items.length === 1}
                  onClick={() => setItems((list) => list.filter((i) => i.key !== item.key))}
                >
                  <Icon name="trash" size={16} />
                </button>
              </div>
            );
          })}
          <button
            type="button"
            class="btn btn-ghost btn-sm add-item"
            onClick={() => {
              const item = newItem();
              setItems((list) => [...list, item]);
              requestAnimationFrame(() =>
                document.getElementById(itemFieldId(item.key, 'description'))?.focus(),
              );
            }}
          >
            <Icon name="plus" size={16} />
            Add line item
          </button>
        </fieldset>

        <div class="invoice-total" aria-live="polite">
          <span>Total</span>
          <strong>{formatCents(total)}</strong>
        </div>

        <div class="form-actions">
          <Link href="/invoices" class="btn btn-ghost">
            Cancel
          </Link>
          <button type="submit" class="btn btn-primary" data-tour="save-invoice">
            Create invoice
          </button>
        </div>
      </form>
    </>
  );
}
