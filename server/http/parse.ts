import type { z } from 'zod';
import { errorCodes, toPointer } from '../../shared/problem.ts';
import { ApiError } from './api-error.ts';

/** The request body as JSON, or a 400 `invalid_json`. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ApiError(400, errorCodes.invalidJson, 'Invalid JSON', 'The request body is not valid JSON.');
  }
}

/**
 * Parses with a zod schema or throws a 400 that lists every field problem, each with a JSON pointer.
 *
 * @example
 * const input = parse(milestoneInput, await jsonBody(c.req.raw))
 */
export function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError(
    400,
    errorCodes.validationFailed,
    'Invalid request',
    undefined,
    result.error.issues.map((issue) => ({ pointer: toPointer(issue.path), detail: issue.message })),
  );
}
