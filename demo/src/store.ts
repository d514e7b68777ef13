/**
 * The demo's "backend": users, sessions and per-account data in localStorage. Data lives under one key
 * per account id, so two people who sign in with the same company in this browser share it.
 * Components subscribe to changes; other tabs' writes arrive through the `storage` event.
 */

import { normalizeEmail, randomId, slugify } from './lib/ids';
import { invoiceNumber } from './lib/money';
import { readJson, removeKey, writeJson } from './storage';
import type {
  Account,
  BankConnection,
  CompanyProfile,
  Customer,
  Invite,
  Invoice,
  LineItem,
  Member,
  Role,
  Session,
  UserRecord,
} from './types';

const KEY_USERS = 'ledgerly:users';
const KEY_SESSION = 'ledgerly:session';
const KEY_LAST_ACCOUNT = 'ledgerly:last-account';
const accountKey = (accountId: string) => `ledgerly:account:${accountId}`;

// ---------------------------------------------------------------------------------------------------
// Change notification

const listeners = new Set<() => void>();

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  for (const listener of [...listeners]) listener();
}

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key === null || event.key.startsWith('ledgerly:')) emit();
  });
}

// ---------------------------------------------------------------------------------------------------
// Users and sessions

type UserMap = Record<string, UserRecord>;

function users(): UserMap {
  return readJson<UserMap>(KEY_USERS) ?? {};
}

export function getUserById(userId: string): UserRecord | undefined {
  return Object.values(users()).find((user) => user.id === userId);
}

/** People who signed in before in this browser, most recent first. */
export function recentUsers(limit = 4): UserRecord[] {
  return Object.values(users())
    .filter((user) => user.lastAccountId)
    .sort((a, b) => (b.lastSignInAt ?? '').localeCompare(a.lastSignInAt ?? ''))
    .slice(0, limit);
}

export function getSession(): Session | null {
  return readJson<Session>(KEY_SESSION);
}

export interface LastAccount {
  id: string;
  name: string;
}

/** The company of the last person who signed out, for "Another user at <company>". */
export function getLastAccount(): LastAccount | null {
  return readJson<LastAccount>(KEY_LAST_ACCOUNT);
}

export function getAccount(accountId: string): Account | null {
  return readJson<Account>(accountKey(accountId));
}

function saveAccount(account: Account): void {
  writeJson(accountKey(account.id), account);
}

function newAccount(id: string, name: string, now: string): Account {
  return {
    id,
    name,
    createdAt: now,
    plan: 'trial',
    seats: 5,
    profile: { billingEmail: '', address: '', taxId: '' },
    members: [],
    invites: [],
    customers: [],
    invoices: [],
    bank: null,
    nextInvoiceSequence: 1,
  };
}

export interface SignInInput {
  name: string;
  email: string;
  company: string;
  /** When the user (and a company new to this browser) signed up, for a returning customer; now by default. */
  createdAt?: string;
}

export interface SignedIn {
  session: Session;
  user: UserRecord;
  account: Account;
  member: Member;
}

export function signIn(input: SignInInput): SignedIn {
  const now = new Date().toISOString();
  const email = normalizeEmail(input.email);
  const name = input.name.trim();
  const company = input.company.trim();
  const accountId = slugify(company);

  const map = users();
  const existing = map[email];
  const user: UserRecord = existing
    ? { ...existing, name, createdAt: input.createdAt ?? existing.createdAt }
    : { id: randomId('usr'), email, name, createdAt: input.createdAt ?? now };
  user.lastAccountId = accountId;
  user.lastSignInAt = now;

  // A returning customer's company is as old as they are: its onboarding is behind it (the demo's
  // checklist is for accounts in their first month), and its people may be asked for NPS.
  const account = getAccount(accountId) ?? newAccount(accountId, company, input.createdAt ?? now);
  user.lastCompany = account.name;
  map[email] = user;
  writeJson(KEY_USERS, map);

  let member = account.members.find((m) => m.userId === user.id);
  if (member) {
    member.name = name;
  } else {
    // An invited email takes the role it was invited with; the first person in is the owner.
    const invite = account.invites.find((i) => i.email === email);
    const role: Role = invite?.role ?? (account.members.length === 0 ? 'owner' : 'member');
    account.invites = account.invites.filter((i) => i.email !== email);
    member = { userId: user.id, name, email, role, joinedAt: now };
    account.members.push(member);
  }
  saveAccount(account);

  const session: Session = { userId: user.id, email, accountId, signedInAt: now };
  writeJson(KEY_SESSION, session);
  writeJson(KEY_LAST_ACCOUNT, { id: account.id, name: account.name } satisfies LastAccount);
  emit();
  return { session, user, account, member };
}

export function signOut(): void {
  const session = getSession();
  if (session) {
    const account = getAccount(session.accountId);
    if (account) writeJson(KEY_LAST_ACCOUNT, { id: account.id, name: account.name } satisfies LastAccount);
  }
  removeKey(KEY_SESSION);
  emit();
}

/** The signed-in user, their account and membership; null when signed out or the data is gone. */
export function currentContext(): SignedIn | null {
  const session = getSession();
  if (!session) return null;
  const user = getUserById(session.userId);
  const account = getAccount(session.accountId);
  const member = account?.members.find((m) => m.userId === session.userId);
  if (!user || !account || !member) return null;
  return { session, user, account, member };
}

// ---------------------------------------------------------------------------------------------------
// Account data

function mutate<T>(accountId: string, change: (account: Account) => T): T {
  const account = getAccount(accountId);
  if (!account) throw new Error(`Account ${accountId} not found`);
  const result = change(account);
  saveAccount(account);
  emit();
  return result;
}

export function addCustomer(accountId: string, input: { name: string; email: string }): Customer {
  return mutate(accountId, (account) => {
    const customer: Customer = {
      id: randomId('cus'),
      name: input.name.trim(),
      email: normalizeEmail(input.email),
      createdAt: new Date().toISOString(),
    };
    account.customers.unshift(customer);
    return customer;
  });
}

export interface NewInvoice {
  customerId: string;
  lineItems: LineItem[];
  issueDate: string;
  dueDate: string;
}

export function addInvoice(accountId: string, createdBy: string, input: NewInvoice): Invoice {
  return mutate(accountId, (account) => {
    const invoice: Invoice = {
      id: randomId('inv'),
      number: invoiceNumber(account.nextInvoiceSequence),
      customerId: input.customerId,
      lineItems: input.lineItems,
      currency: 'USD',
      issueDate: input.issueDate,
      dueDate: input.dueDate,
      status: 'draft',
      createdAt: new Date().toISOString(),
      createdBy,
    };
    account.nextInvoiceSequence += 1;
    account.invoices.unshift(invoice);
    return invoice;
  });
}

export function setInvoiceStatus(accountId: string, invoiceId: string, status: 'sent' | 'paid'): Invoice {
  return mutate(accountId, (account) => {
    const invoice = account.invoices.find((i) => i.id === invoiceId);
    if (!invoice) throw new Error(`Invoice ${invoiceId} not found`);
    invoice.status = status;
    const now = new Date().toISOString();
    if (status === 'sent') invoice.sentAt = now;
    else invoice.paidAt = now;
    return invoice;
  });
}

export function addInvite(
  accountId: string,
  invitedBy: string,
  input: { email: string; role: Role },
): Invite {
  return mutate(accountId, (account) => {
    const invite: Invite = {
      id: randomId('ivt'),
      email: normalizeEmail(input.email),
      role: input.role,
      invitedAt: new Date().toISOString(),
      invitedBy,
    };
    account.invites.push(invite);
    return invite;
  });
}

export function revokeInvite(accountId: string, inviteId: string): void {
  mutate(accountId, (account) => {
    account.invites = account.invites.filter((i) => i.id !== inviteId);
  });
}

export function updateCompany(accountId: string, input: { name: string; profile: CompanyProfile }): Account {
  return mutate(accountId, (account) => {
    account.name = input.name.trim();
    account.profile = {
      billingEmail: normalizeEmail(input.profile.billingEmail),
      address: input.profile.address.trim(),
      taxId: input.profile.taxId.trim(),
    };
    return account;
  });
}

export function setBank(accountId: string, bank: BankConnection | null): void {
  mutate(accountId, (account) => {
    account.bank = bank;
  });
}
