/**
 * What the user does, in one place: each action changes the demo's data and tells Waymark about it,
 * exactly as a real product would from its own code.
 */

import * as analytics from './analytics';
import { centsToAmount, invoiceTotalCents } from './lib/money';
import * as store from './store';
import type { Account, BankConnection, CompanyProfile, Customer, Invite, Invoice, Role } from './types';

function groupTraits(account: Account) {
  return { name: account.name, plan: account.plan, seats: account.seats, createdAt: account.createdAt };
}

/** identify + group for the signed-in user; called on sign-in and on every app load, as real apps do. */
export function announceSession(): void {
  const context = store.currentContext();
  if (!context) return;
  const { user, account, member } = context;
  analytics.identify(user.id, {
    name: user.name,
    email: user.email,
    createdAt: user.createdAt,
    role: member.role,
  });
  analytics.group(account.id, groupTraits(account));
}

export function signIn(input: store.SignInInput): store.SignedIn {
  const result = store.signIn(input);
  announceSession();
  return result;
}

export function signOut(): void {
  store.signOut();
  analytics.reset();
}

export function createCustomer(accountId: string, input: { name: string; email: string }): Customer {
  const customer = store.addCustomer(accountId, input);
  analytics.track('Customer Created', { customerId: customer.id });
  return customer;
}

export function createInvoice(accountId: string, userId: string, input: store.NewInvoice): Invoice {
  const invoice = store.addInvoice(accountId, userId, input);
  analytics.track('Invoice Created', {
    invoiceId: invoice.id,
    amount: centsToAmount(invoiceTotalCents(invoice)),
    currency: invoice.currency,
    lineItems: invoice.lineItems.length,
  });
  return invoice;
}

export function sendInvoice(accountId: string, invoiceId: string): Invoice {
  const invoice = store.setInvoiceStatus(accountId, invoiceId, 'sent');
  analytics.track('Invoice Sent', {
    invoiceId: invoice.id,
    amount: centsToAmount(invoiceTotalCents(invoice)),
  });
  return invoice;
}

export function markInvoicePaid(accountId: string, invoiceId: string): Invoice {
  const invoice = store.setInvoiceStatus(accountId, invoiceId, 'paid');
  analytics.track('Invoice Paid', {
    invoiceId: invoice.id,
    amount: centsToAmount(invoiceTotalCents(invoice)),
  });
  return invoice;
}

export function exportInvoices(count: number): void {
  analytics.track('Invoices Exported', { count, format: 'csv' });
}

export function inviteTeammate(
  accountId: string,
  userId: string,
  input: { email: string; role: Role },
): Invite {
  const invite = store.addInvite(accountId, userId, input);
  analytics.track('Teammate Invited', { role: invite.role });
  return invite;
}

export function revokeInvite(accountId: string, inviteId: string): void {
  store.revokeInvite(accountId, inviteId);
}

export function updateCompany(accountId: string, input: { name: string; profile: CompanyProfile }): void {
  const account = store.updateCompany(accountId, input);
  // A renamed company is new account data: send it as a real app would.
  analytics.group(account.id, groupTraits(account));
}

export function connectBank(accountId: string, bank: string, accountNumber: string): BankConnection {
  const connection: BankConnection = {
    bank,
    last4: accountNumber.replace(/\D/g, '').slice(-4),
    connectedAt: new Date().toISOString(),
  };
  store.setBank(accountId, connection);
  analytics.track('Bank Account Connected', { bank });
  return connection;
}

export function disconnectBank(accountId: string): void {
  store.setBank(accountId, null);
}
