/** Route table and path matching for the hand-written History API router. Pure: unit-tested in node. */

export type RouteName =
  | 'dashboard'
  | 'customers'
  | 'invoices'
  | 'invoiceNew'
  | 'invoice'
  | 'team'
  | 'settings'
  | 'signin'
  | 'notFound';

/** Order matters: the first matching pattern wins (`/invoices/new` before `/invoices/:id`). */
export const ROUTES: ReadonlyArray<readonly [pattern: string, name: RouteName]> = [
  ['/', 'dashboard'],
  ['/customers', 'customers'],
  ['/invoices', 'invoices'],
  ['/invoices/new', 'invoiceNew'],
  ['/invoices/:id', 'invoice'],
  ['/team', 'team'],
  ['/settings', 'settings'],
  ['/signin', 'signin'],
];

export type Params = Record<string, string>;

function segments(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** Matches `/invoices/:id` against `/invoices/inv_123`; returns the params, or null. */
export function matchPath(pattern: string, path: string): Params | null {
  const want = segments(pattern);
  const have = segments(path);
  if (want.length !== have.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const h = have[i] ?? '';
    if (w.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(h);
      } catch {
        return null;
      }
      params[w.slice(1)] = value;
    } else if (w !== h) {
      return null;
    }
  }
  return params;
}

export interface ResolvedRoute {
  name: RouteName;
  params: Params;
}

export function resolveRoute(path: string): ResolvedRoute {
  for (const [pattern, name] of ROUTES) {
    const params = matchPath(pattern, path);
    if (params) return { name, params };
  }
  return { name: 'notFound', params: {} };
}

/** Normalizes a base such as `/demo` or `/demo/` to `/demo/`. */
function normalizeBase(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}

/** `/demo/invoices/` -> `/invoices`; `/demo` -> `/`. Paths outside the base are returned normalized. */
export function stripBase(pathname: string, base: string): string {
  const b = normalizeBase(base);
  let path = pathname;
  if (path === b.slice(0, -1) || path === b) path = '/';
  else if (path.startsWith(b)) path = `/${path.slice(b.length)}`;
  if (path.length > 1) path = path.replace(/\/+$/, '');
  return path || '/';
}

/** `/invoices` -> `/demo/invoices`; keeps any query string or hash. */
export function withBase(path: string, base: string): string {
  const b = normalizeBase(base);
  if (path === '/' || path === '') return b;
  return b + path.replace(/^\/+/, '');
}

/** Only same-app, relative `next` targets are honoured after sign-in (no open redirects). */
export function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/signin')) return '/';
  return next;
}
