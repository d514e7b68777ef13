/** The demo's data model. Everything an account owns is stored under one localStorage key per account id. */

export type Role = 'owner' | 'admin' | 'member' | 'accountant';

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
  accountant: 'Accountant',
};

/** A person who has signed in to the demo in this browser, keyed by email. */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  /** When this user was first created in the demo (ISO). */
  createdAt: string;
  lastAccountId?: string;
  lastCompany?: string;
  lastSignInAt?: string;
}

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: string;
}

export interface Invite {
  id: string;
  email: string;
  role: Role;
  invitedAt: string;
  invitedBy: string;
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  createdAt: string;
}

export interface LineItem {
  description: string;
  quantity: number;
  unitPriceCents: number;
}

export type InvoiceStatus = 'draft' | 'sent' | 'paid';

export interface Invoice {
  id: string;
  number: string;
  customerId: string;
  lineItems: LineItem[];
  currency: 'USD';
  /** YYYY-MM-DD */
  issueDate: string;
  /** YYYY-MM-DD */
  dueDate: string;
  status: InvoiceStatus;
  createdAt: string;
  createdBy: string;
  sentAt?: string;
  paidAt?: string;
}

export interface BankConnection {
  bank: string;
  last4: string;
  connectedAt: string;
}

export interface CompanyProfile {
  billingEmail: string;
  address: string;
  taxId: string;
}

export interface Account {
  id: string;
  name: string;
  createdAt: string;
  plan: 'trial';
  seats: number;
  profile: CompanyProfile;
  members: Member[];
  invites: Invite[];
  customers: Customer[];
  invoices: Invoice[];
  bank: BankConnection | null;
  nextInvoiceSequence: number;
}

export interface Session {
  userId: string;
  email: string;
  accountId: string;
  signedInAt: string;
}
