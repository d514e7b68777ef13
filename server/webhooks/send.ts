import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, privateHostOf } from './addresses.ts';

/** What one HTTP attempt gave: a status, or no answer at all (`statusCode` null) and why. */
export interface SendResult {
  statusCode: number | null;
  /** `Retry-After` of the answer, as it came. */
  retryAfter: string | null;
  /** Why it failed: the network error, the timeout, or the start of a non-2xx answer's body. */
  error: string | null;
  /** Trying again cannot help (a refused private address): the delivery fails at once. */
  permanent?: boolean;
}

/** Posts one delivery; the worker takes it as a parameter so tests can count and fail sends. */
export type Send = (url: string, headers: Record<string, string>, body: string) => Promise<SendResult>;

/** How much of a failed answer's body the log keeps, to say why the receiver refused. */
const errorBodyChars = 300;

/**
 * Posts `body` to `url` with node:http(s), answering within `timeoutMs` whatever the receiver does
 * (connect, headers and body all count). Redirects are not followed. Unless `allowPrivate`, a
 * private address is refused before connecting, whether the URL names it or DNS answers it.
 *
 * @example
 * const send = httpSender({ timeoutMs: 10_000, allowPrivate: false })
 * await send('https://example.com/hook', { 'content-type': 'application/json' }, '{}') // { statusCode: 200, … }
 */
export function httpSender(options: { timeoutMs: number; allowPrivate: boolean }): Send {
  return (url, headers, body) =>
    new Promise<SendResult>((resolve) => {
      const target = new URL(url);
      const refusedHost = options.allowPrivate ? null : privateHostOf(url);
      if (refusedHost) {
        resolve({
          statusCode: null,
          retryAfter: null,
          error: `${refusedHost} is a private address (WEBHOOK_ALLOW_PRIVATE_URLS is off)`,
          permanent: true,
        });
        return;
      }
      const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (result: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const req = request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
        },
        (res) => {
          const statusCode = res.statusCode ?? 0;
          const retryAfter = headerText(res.headers['retry-after']);
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < errorBodyChars) text += chunk;
          });
          res.on('end', () => {
            const ok = statusCode >= 200 && statusCode < 300;
            const summary = text.replace(/\s+/g, ' ').trim().slice(0, errorBodyChars);
            finish({
              statusCode,
              retryAfter,
              error: ok ? null : `HTTP ${statusCode}${summary ? `: ${summary}` : ''}`,
            });
          });
          res.on('error', (error) => finish({ statusCode, retryAfter, error: error.message }));
        },
      );
      const timer = setTimeout(() => {
        finish({ statusCode: null, retryAfter: null, error: `timed out after ${options.timeoutMs} ms` });
        req.destroy();
      }, options.timeoutMs);
      req.on('error', (error) =>
        finish({
          statusCode: null,
          retryAfter: null,
          error: error.message,
          permanent: (error as NodeJS.ErrnoException).code === 'EPRIVATEADDRESS',
        }),
      );
      req.end(body);
    });
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
