import { selectorProblem } from '../../shared/css-selector.ts';
import { errorCodes, toPointer } from '../../shared/problem.ts';
import { spotlightContent } from '../../shared/schemas/spotlight.ts';
import { VersionedContent } from '../content/versioned.ts';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/api-error.ts';
import { selectorFields } from './selectors.ts';

/** Spotlights and tours: drafts and immutable versions, their CSS selectors checked when saved. */
export const spotlightService = (db: Database, clock: () => number) =>
  new VersionedContent(
    db,
    { kind: 'spotlight', schema: spotlightContent },
    { label: 'Spotlight', idPrefix: 'sp' },
    clock,
    {
      async validate(_workspaceId, content, pointer) {
        const errors = selectorFields(content).flatMap(({ path, selector }) => {
          const detail = selectorProblem(selector);
          return detail === null ? [] : [{ pointer: `${pointer}${toPointer(path)}`, detail }];
        });
        if (errors.length > 0)
          throw new ApiError(400, errorCodes.validationFailed, 'Invalid request', undefined, errors);
      },
    },
  );
