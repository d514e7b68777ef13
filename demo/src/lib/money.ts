/** Money, dates and invoice arithmetic. Pure: everything here is unit-tested in node. */

import type { Invoice, LineItem } from '../types';

/** Parses a user-typed amount ("1,250.5", "$40") into integer cents. Null when not a non-negative amount. */
export function parseMoneyToCents(input: string): number | null {
  const cleaned = input.trim().replace(/^\$/, '').replace(/,/g, '').trim();
  if (!/^\d+(\.\d{0,2})?$|^\.\d{1,2}$/.test(cleaned)) return null;
  const [whole = '0', fraction = ''] = cleaned.split('.');
  const cents = Number(whole || '0') * 100 + Number(fraction.padEnd(2, '0') || '0');
  return Number.isSafeInteger(cents) ? cents : null;
}

/** Parses a quantity: a positive number with at most two decimals (hours can be 1.5). */
export function parseQuantity(input: string): number | null {
  const cleaned = input.trim();
  if (!/^\d+(\.\d{1,2})?$|^\.\d{1,2}$/.test(cleaned)) return null;
  const value = Number(cleaned);
  return value > 0 && Number.isFinite(value) ? value : null;
}

export function lineTotalCents(item: LineItem): number {
  return Math.round(item.quantity * item.unitPriceCents);
}

export function invoiceTotalCents(invoice: Pick<Invoice, 'lineItems'>): number {
  return invoice.lineItems.reduce((sum, item) => sum + lineTotalCents(item), 0);
}

/** Cents to the decimal amount sent in analytics events (12345 -> 123.45). */
export function centsToAmount(cents: number): number {
  return Math.round(cents) / 100;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
export function formatCents(cents: number): string {
  return usd.format(cents / 100);
}

/** Local calendar date as YYYY-MM-DD. */
export function todayISO(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function addDays(isoDate: string, days: number): string {
  const [y = 1970, m = 1, d = 1] = isoDate.split('-').map(Number);
  return todayISO(new Date(y, m - 1, d + days));
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  const [fy = 1970, fm = 1, fd = 1] = from.split('-').map(Number);
  const [ty = 1970, tm = 1, td = 1] = to.split('-').map(Number);
  return Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(fy, fm - 1, fd)) / 86_400_000);
}

const dateFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
/** "Mar 4, 2025" from a YYYY-MM-DD date or an ISO timestamp. */
export function formatDate(iso: string): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(iso)
    ? new Date(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)))
    : new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

export type DisplayStatus = 'draft' | 'sent' | 'overdue' | 'paid';

/** A sent invoice becomes overdue the day after its due date. */
export function displayStatus(invoice: Pick<Invoice, 'status' | 'dueDate'>, today: string): DisplayStatus {
  if (invoice.status === 'sent' && invoice.dueDate < today) return 'overdue';
  return invoice.status;
}

export interface Bucket {
  cents: number;
  count: number;
}

export interface InvoiceSummary {
  /** Sent, not paid, not yet past due. */
  outstanding: Bucket;
  /** Sent, not paid, past due. */
  overdue: Bucket;
  paid: Bucket;
  draft: Bucket;
}

export function summarizeInvoices(invoices: readonly Invoice[], today: string): InvoiceSummary {
  const summary: InvoiceSummary = {
    outstanding: { cents: 0, count: 0 },
    overdue: { cents: 0, count: 0 },
    paid: { cents: 0, count: 0 },
    draft: { cents: 0, count: 0 },
  };
  for (const invoice of invoices) {
    const status = displayStatus(invoice, today);
    const bucket = status === 'sent' ? summary.outstanding : summary[status];
    bucket.cents += invoiceTotalCents(invoice);
    bucket.count += 1;
  }
  return summary;
}

/** The next human invoice number: INV-0001, INV-0002, ... */
export function invoiceNumber(sequence: number): string {
  return `INV-${String(sequence).padStart(4, '0')}`;
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
