/** Identifiers and fake-but-plausible names for the demo. Pure apart from the random source. */

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random id such as `usr_k3j9x0p2m1qa`. Uses getRandomValues, which also works outside secure contexts. */
export function randomId(prefix: string, length = 12): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) out += ALPHABET.charAt(byte % ALPHABET.length);
  return `${prefix}_${out}`;
}

/** The account id derived from a company name: two people typing "Acme, Inc." and "acme inc" share one account. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug || 'company';
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
export function isValidEmail(email: string): boolean {
  return EMAIL_RE.test(email.trim());
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.charAt(0) ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.charAt(0) ?? '') : '';
  return (first + last).toUpperCase() || '?';
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

const FIRST_NAMES =
  'Maya Jonas Priya Diego Amara Liam Sofia Kenji Fatima Noah Elena Tariq Hannah Mateo Aisha Oskar Chloe Ravi Ingrid Samuel'.split(
    ' ',
  );
const LAST_NAMES =
  'Chen Okafor Patel Moreau Lindqvist Garcia Novak Tanaka Haddad Walsh Rossi Kowalski Mensah Fischer Silva Brennan Nakamura Dubois Ahmed Larsen'.split(
    ' ',
  );
const COMPANY_A =
  'Bright North Blue Copper Maple Harbor Summit Atlas Juniper Cedar Silver Pioneer Lumen Granite Willow'.split(
    ' ',
  );
const COMPANY_B = 'path field stone wave leaf bridge works light point craft line forge'.split(' ');
const COMPANY_SUFFIX = 'Studio Labs Co. Design Consulting Partners Digital Goods'.split(' ');

export const CUSTOMER_NAMES =
  'Globex Corporation|Initech|Umbrella Health|Stark Logistics|Wayne Foods|Hooli|Vandelay Industries|Soylent Labs|Tyrell Systems|Oscorp Media|Dunder Paper|Cyberdyne Retail'.split(
    '|',
  );

function pick<T>(list: readonly T[], random: () => number): T {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export interface FakePerson {
  name: string;
  email: string;
}

/** A random person with an email at the company's domain (always under the reserved `.example` TLD). */
export function fakePerson(company: string, random: () => number = Math.random): FakePerson {
  const first = pick(FIRST_NAMES, random);
  const last = pick(LAST_NAMES, random);
  const domain = `${slugify(company).replace(/-/g, '')}.example`;
  const tag = Math.floor(random() * 900 + 100);
  return { name: `${first} ${last}`, email: `${first}.${last}${tag}@${domain}`.toLowerCase() };
}

export function fakeCompany(random: () => number = Math.random): string {
  return `${pick(COMPANY_A, random)}${pick(COMPANY_B, random)} ${pick(COMPANY_SUFFIX, random)}`;
}
