import type { SpotlightContent } from '../../shared/schemas/spotlight.ts';

/**
 * Every CSS selector a spotlight holds, with its path in the content: each step's anchor and a click
 * trigger's. A new selector field belongs here too.
 */
export function selectorFields(
  content: SpotlightContent,
): Array<{ path: Array<string | number>; selector: string }> {
  const fields = content.steps.flatMap((step, index) =>
    step.anchor ? [{ path: ['steps', index, 'anchor', 'selector'], selector: step.anchor.selector }] : [],
  );
  if (content.trigger.kind === 'click')
    fields.push({ path: ['trigger', 'selector'], selector: content.trigger.selector });
  return fields;
}
