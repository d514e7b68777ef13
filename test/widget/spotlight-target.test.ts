import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findTarget, isVisible, watchTarget } from '../../widget/spotlight/target.ts';
import { advance, fakeEnv, start, tick } from './fake-env.ts';

/** How a step finds what it points at (widget/spotlight/target.ts), in happy-dom. */
beforeEach(() => {
  vi.useFakeTimers({ now: start });
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.useRealTimers();
});

const anchor = (selector: string, extra: { text?: string; pierceShadow?: boolean } = {}) => ({
  selector,
  pierceShadow: true,
  ...extra,
});

/** A web component's open shadow root holding `html`, under an element with id `id`. */
function component(id: string, html: string, mode: ShadowRootMode = 'open'): ShadowRoot {
  const host = document.createElement('x-card');
  host.id = id;
  document.body.append(host);
  const root = host.attachShadow({ mode });
  root.innerHTML = html;
  return root;
}

describe('finding a target', () => {
  it('is the first element the selector matches, in document order; nothing when none does', () => {
    document.body.innerHTML = '<p class="t" id="one">1</p><div><p class="t" id="two">2</p></div>';
    expect(findTarget(anchor('.t'))?.id).toBe('one');
    expect(findTarget(anchor('.nothing'))).toBeNull();
  });

  it('narrows the matches to the one whose text contains `text`, trimmed and case-insensitive', () => {
    document.body.innerHTML =
      '<a href="/a" id="home">Home</a><a href="/b" id="inv">  Your INVOICES </a><a href="/c" id="tm">Team</a>';
    expect(findTarget(anchor('a', { text: 'invoices' }))?.id).toBe('inv');
    expect(findTarget(anchor('a', { text: '  team ' }))?.id).toBe('tm');
    expect(findTarget(anchor('a', { text: 'settings' }))).toBeNull();
  });

  it('skips matches that are not rendered: display none (on them or above), visibility hidden', () => {
    document.body.innerHTML = `
      <div style="display:none"><button class="b" id="inside-hidden">x</button></div>
      <button class="b" id="none" style="display:none">x</button>
      <button class="b" id="invisible" style="visibility:hidden">x</button>
      <button class="b" id="shown">x</button>`;
    expect(findTarget(anchor('.b'))?.id).toBe('shown');
    expect(isVisible(document.getElementById('inside-hidden')!)).toBe(false);
    expect(isVisible(document.getElementById('invisible')!)).toBe(false);
    expect(isVisible(document.getElementById('shown')!)).toBe(true);
  });

  it('looks inside open shadow roots, where their hosts stand, unless told not to', () => {
    document.body.innerHTML = '<button class="b" id="light-before">x</button>';
    component('card', '<button class="b" id="in-shadow">x</button>');
    const after = document.createElement('button');
    after.className = 'b';
    after.id = 'light-after';
    document.body.append(after);
    document.getElementById('light-before')!.remove();

    expect(findTarget(anchor('.b'))?.id).toBe('in-shadow'); // composed order: the host comes first
    expect(findTarget(anchor('.b', { pierceShadow: false }))?.id).toBe('light-after');
  });

  it('never finds the widget’s own elements, and finds nothing with a selector the browser rejects', () => {
    const own = document.createElement('waymark-widget');
    own.attachShadow({ mode: 'open' }).innerHTML = '<button class="b">ours</button>';
    document.body.append(own);
    expect(findTarget(anchor('.b'))).toBeNull();
    expect(findTarget(anchor('waymark-widget'))).toBeNull();
    document.body.insertAdjacentHTML('beforeend', '<p class="b">x</p>');
    expect(findTarget(anchor('p:unknown-pseudo(1)'))).toBeNull();
  });
});

describe('waiting for a target', () => {
  it('finds one that renders late through a MutationObserver, without polling', async () => {
    const env = fakeEnv();
    const change = vi.fn();
    const late = vi.fn();
    const watch = watchTarget(anchor('#late'), env, 5000, change, late);
    expect(change).not.toHaveBeenCalled();
    await advance(2000);
    document.body.insertAdjacentHTML('beforeend', '<button id="late">Late</button>');
    await tick();
    expect(change).toHaveBeenCalledWith(document.getElementById('late'));
    expect(watch.current()).toBe(document.getElementById('late'));
    await advance(5000);
    expect(late).not.toHaveBeenCalled();
    // One timer, the deadline: nothing is looked up again on a clock.
    expect(env.setTimeout).toHaveBeenCalledTimes(1);
    watch.stop();
  });

  it('reports it late once after the wait, and still finds it afterwards', async () => {
    const env = fakeEnv();
    const change = vi.fn();
    const late = vi.fn();
    const watch = watchTarget(anchor('#slow'), env, 3000, change, late);
    await advance(2999);
    expect(late).not.toHaveBeenCalled();
    await advance(1);
    expect(late).toHaveBeenCalledTimes(1);
    document.body.innerHTML = '<p id="slow">now</p>';
    await tick();
    expect(change).toHaveBeenLastCalledWith(document.getElementById('slow'));
    watch.stop();
  });

  it('follows a target that is replaced (a re-render), hidden, or inside a shadow root that fills later', async () => {
    document.body.innerHTML = '<div id="app"><button data-tour="x">old</button></div>';
    const env = fakeEnv();
    const change = vi.fn();
    const watch = watchTarget(anchor('[data-tour="x"]'), env, 3000, change, vi.fn());
    expect(change).toHaveBeenLastCalledWith(document.querySelector('[data-tour="x"]'));

    document.getElementById('app')!.innerHTML = '<button data-tour="x">new</button>';
    await tick();
    expect(change.mock.lastCall).toEqual([document.querySelector('[data-tour="x"]')]);
    expect(document.querySelector('[data-tour="x"]')?.textContent).toBe('new');

    (document.querySelector('[data-tour="x"]') as HTMLElement).style.display = 'none';
    await tick();
    expect(change).toHaveBeenLastCalledWith(null);
    watch.stop();

    document.body.innerHTML = '';
    const inShadow = vi.fn();
    const root = component('lazy', '<p>loading</p>');
    const second = watchTarget(anchor('[data-tour="deep"]'), env, 3000, inShadow, vi.fn());
    root.innerHTML = '<button data-tour="deep">deep</button>'; // a mutation inside the shadow root only
    await tick();
    expect(inShadow).toHaveBeenLastCalledWith(root.querySelector('button'));
    second.stop();
  });

  it('stops observing and forgets its deadline when stopped', async () => {
    const env = fakeEnv();
    const change = vi.fn();
    const late = vi.fn();
    watchTarget(anchor('#never'), env, 1000, change, late).stop();
    document.body.innerHTML = '<p id="never">x</p>';
    await advance(2000);
    expect(change).not.toHaveBeenCalled();
    expect(late).not.toHaveBeenCalled();
  });
});
