import { afterEach, describe, expect, it } from 'vitest';
import { fakeHost, mountView, viewState } from './checklist-host.ts';
import { spotlight, step, unmountAll } from './spotlight-fixture.ts';

afterEach(unmountAll);

/** The UI chunk's entry with every kind of the registry (widget/view/kinds.ts) mounted together. */
describe('the kinds of content, mounted together', () => {
  it('opens a checklist on first view before a tour that starts on the same page', async () => {
    const host = fakeHost();
    const state = viewState();
    // A checklist this user has never seen, which opens on first view.
    state.response.checklists = state.response.checklists.map((c) => ({ ...c, seen: false }));
    state.response.spotlights = [spotlight({ steps: [step('a', { kind: 'modal', anchor: undefined })] })];
    await mountView(host, state);
    const names = host.emitted.map(([name]) => name);
    expect(names).toContain('checklist_opened');
    // The modal waits for the panel to close: the screen is the checklist's.
    expect(names).not.toContain('spotlight_shown');
  });
});
