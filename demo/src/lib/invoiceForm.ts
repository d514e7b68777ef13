/** Validation of the "New invoice" form. Pure: error keys are the ids of the fields they belong to. */

import type { LineItem } from '../types';
import { lineTotalCents, parseMoneyToCents, parseQuantity } from './money';

export interface LineItemDraft {
  key: string;
  description: string;
  quantity: string;
  price: string;
}

export interface InvoiceDraft {
  customerId: string;
  dueDate: string;
  items: LineItemDraft[];
}

export const itemFieldId = (key: string, field: 'description' | 'quantity' | 'price') =>
  `item-${key}-${field}`;

export type FormErrors = Record<string, string>;

export interface InvoiceValidation {
  errors: FormErrors;
  lineItems: LineItem[];
  totalCents: number;
}

export function validateInvoiceDraft(
  draft: InvoiceDraft,
  context: { today: string; customerIds: readonly string[] },
): InvoiceValidation {
  const errors: FormErrors = {};
  const lineItems: LineItem[] = [];

  if (!draft.customerId) errors['invoice-customer'] = 'Choose who this invoice is for.';
  else if (!context.customerIds.includes(draft.customerId))
    errors['invoice-customer'] = 'That customer no longer exists. Choose another one.';

  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.dueDate)) errors['invoice-due'] = 'Enter a due date.';
  else if (draft.dueDate < context.today) errors['invoice-due'] = 'The due date cannot be in the past.';

  if (draft.items.length === 0) errors['invoice-items'] = 'Add at least one line item.';

  draft.items.forEach((item, index) => {
    const n = index + 1;
    const description = item.description.trim();
    const quantity = parseQuantity(item.quantity);
    const unitPriceCents = parseMoneyToCents(item.price);
    if (!description) errors[itemFieldId(item.key, 'description')] = `Describe line item ${n}.`;
    else if (description.length > 200)
      errors[itemFieldId(item.key, 'description')] = `Keep line item ${n} under 200 characters.`;
    if (quantity === null)
      errors[itemFieldId(item.key, 'quantity')] =
        `Enter a quantity above 0 for line item ${n}, like 1 or 2.5.`;
    if (unitPriceCents === null)
      errors[itemFieldId(item.key, 'price')] = `Enter a price for line item ${n}, like 120 or 99.50.`;
    if (description && quantity !== null && unitPriceCents !== null)
      lineItems.push({ description, quantity, unitPriceCents });
  });

  const totalCents = lineItems.reduce((sum, item) => sum + lineTotalCents(item), 0);
  if (Object.keys(errors).length === 0 && totalCents <= 0)
    errors['invoice-items'] = 'The invoice total must be more than $0.00.';

  return { errors, lineItems, totalCents };
}

/** Running total while typing: counts every line whose quantity and price already parse. */
export function draftTotalCents(items: readonly LineItemDraft[]): number {
  let total = 0;
  for (const item of items) {
    const quantity = parseQuantity(item.quantity);
    const cents = parseMoneyToCents(item.price);
    if (quantity !== null && cents !== null) total += Math.round(quantity * cents);
  }
  return total;
}
