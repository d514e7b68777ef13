import type { ErrorCode, FieldError, Problem } from '../../shared/problem.ts';

/**
 * The one error route code throws; `onError` renders it as RFC 9457 problem+json.
 *
 * @example
 * throw new ApiError(401, 'invalid_key', 'Unknown key', 'No workspace has this publishable key.')
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers?: Record<string, string>,
    /** RFC 9457 extension members of the problem. */
    readonly members?: Pick<Problem, 'rejectedCount'>,
  ) {
    super(detail ?? title);
    this.name = 'ApiError';
  }

  toProblem(): Problem {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      code: this.code,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
      ...this.members,
    };
  }
}
