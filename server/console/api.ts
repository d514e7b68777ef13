import { type ClientResponse, hc } from 'hono/client';
import type { Problem } from '../../shared/problem.ts';
import type { AppType } from '../app.ts';

/**
 * The console's only way to the server: the documented API, typed by the server's route table
 * (`AppType`), so a changed response schema fails the type check here. The session cookie goes
 * along (same origin); the browser adds `Origin` to every POST, which the server checks.
 */
export const api = hc<AppType>(location.origin);

/** The API refused or failed: its status, and the problem+json it answered when it did. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | null,
  ) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}`);
  }
}

/** Called on any 401: the session ended (expired, signed out elsewhere), so the app shows the sign-in page. */
let onSignedOut: () => void = () => {};
export const whenSignedOut = (handler: () => void) => {
  onSignedOut = handler;
};

type Success<R> =
  R extends ClientResponse<infer T, infer S, 'json'> ? (S extends 200 | 201 | 202 ? T : never) : never;

/**
 * The body of a successful answer, or an ApiFailure.
 *
 * @example
 * const page = await ok(api.v1.admin.health.accounts.$get({ query: { sort: 'score' } }))
 */
export async function ok<R extends ClientResponse<unknown, number, string>>(
  call: Promise<R>,
): Promise<Success<R>> {
  const res = await call;
  if (res.ok) return (await res.json()) as Success<R>;
  throw await failure(res);
}

/**
 * A change whose success has no body (204), or an ApiFailure.
 *
 * @example
 * await done(api.v1.console.workspaces[':workspaceId'].members[':memberId'].$delete({ param }))
 */
export async function done(call: Promise<ClientResponse<unknown, number, string>>): Promise<void> {
  const res = await call;
  if (!res.ok) throw await failure(res);
}

async function failure(res: { status: number; json(): Promise<unknown> }): Promise<ApiFailure> {
  if (res.status === 401) onSignedOut();
  const problem = (await res.json().catch(() => null)) as Partial<Problem> | null;
  return new ApiFailure(res.status, problem && typeof problem === 'object' ? problem : null);
}

/**
 * JSON to and from a route outside the typed table (better-auth's `/api/auth/*`, the console
 * session), with the shape the interface documents.
 */
export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) {
    const problem = (await res.json().catch(() => null)) as (Partial<Problem> & { message?: string }) | null;
    // better-auth answers { code, message }; the API answers problem+json.
    throw new ApiFailure(
      res.status,
      problem ? { ...problem, detail: problem.detail ?? problem.message ?? problem.title } : null,
    );
  }
  return (res.headers.get('content-type')?.includes('json') ? await res.json() : null) as T;
}

/** A URL of the API with its query, for links (CSV downloads) rather than fetches. */
export function href(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
