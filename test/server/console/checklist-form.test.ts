import { describe, expect, it } from 'vitest';
import {
  freshItemId,
  move,
  newChecklist,
  newItem,
  problemErrors,
  validateDraft,
} from '../../../server/console/checklist-form.ts';
import { checklistDraftInput } from '../../../shared/schemas/checklist.ts';

// The checklist builder's form logic: a new checklist is valid as it is, errors are keyed by the
// pointers the server's problem+json uses, and items move as the author asks.
describe('the checklist form', () => {
  it('starts a new checklist valid, every default spelled out as the server stores it', () => {
    const draft = newChecklist();
    expect(validateDraft(draft)).toEqual({});
    expect(checklistDraftInput.parse(draft).content).toEqual(draft.content);
  });

  it('keys errors by JSON pointer, the first at each field, as the server would point at them', () => {
    const draft = newChecklist();
    draft.content.title = '';
    draft.content.items = [
      { ...newItem([]), id: 'Bad Id', required: false },
      { ...newItem([]), id: 'step_1', title: '', required: false },
    ];
    expect(validateDraft(draft)).toEqual({
      '/content/title': 'must not be empty',
      '/content/items/0/id': 'must be lowercase letters, digits, _ or -, starting with a letter or digit',
      '/content/items/1/title': 'must not be empty',
      '/content/items': 'needs at least one required item',
    });
    expect(
      problemErrors([
        {
          pointer: '/content/items/0/completion/milestone',
          detail: 'names no milestone of this workspace ("x")',
        },
        { pointer: '/content/items/0/completion/milestone', detail: 'a second one' },
      ]),
    ).toEqual({ '/content/items/0/completion/milestone': 'names no milestone of this workspace ("x")' });
  });

  it('gives a new item an id no other item has', () => {
    expect(freshItemId([])).toBe('step_1');
    expect(freshItemId([{ id: 'step_2' }])).toBe('step_3');
    expect(freshItemId([{ id: 'step_3' }, { id: 'x' }])).toBe('step_4');
    expect(freshItemId([{ id: 'a' }, { id: 'step_3' }])).toBe('step_4');
  });

  it('moves an item, keeping the others in order', () => {
    expect(move(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(move(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b', 'c'], 1, 9)).toEqual(['a', 'c', 'b']);
  });
});
