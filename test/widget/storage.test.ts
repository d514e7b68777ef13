import { describe, expect, it, vi } from 'vitest';
import { createStore } from '../../widget/storage.ts';
import { FullStorage, MemoryStorage, throwingStorage } from './fake-env.ts';

describe('createStore', () => {
  it('reads, writes and removes values in localStorage', () => {
    const storage = new MemoryStorage();
    const store = createStore(() => storage);

    expect(store.get('a')).toBeNull();
    expect(store.set('a', '1')).toBe(true);
    expect(storage.getItem('a')).toBe('1');
    expect(store.get('a')).toBe('1');
    store.remove('a');
    expect(storage.getItem('a')).toBeNull();
    expect(store.get('a')).toBeNull();
  });

  it('lists the keys under a prefix, including ones another tab wrote', () => {
    const storage = new MemoryStorage();
    const store = createStore(() => storage);
    store.set('waymark:k:m:1', 'x');
    storage.setItem('waymark:k:m:2', 'y'); // another tab
    storage.setItem('waymark:other:m:3', 'z');
    storage.setItem('unrelated', 'w');

    expect(store.keys('waymark:k:m:')).toEqual(['waymark:k:m:1', 'waymark:k:m:2']);
    expect(store.keys('nothing:')).toEqual([]);
  });

  it('never throws when localStorage throws on every access', () => {
    const store = createStore(throwingStorage);

    expect(store.get('a')).toBeNull();
    expect(store.set('a', '1')).toBe(false);
    expect(() => store.remove('a')).not.toThrow();
    expect(store.keys('')).toEqual([]);
  });

  it('never throws when there is no localStorage at all', () => {
    const store = createStore(() => {
      throw new ReferenceError('localStorage is not defined');
    });

    expect(store.get('a')).toBeNull();
    expect(store.set('a', '1')).toBe(false);
    expect(() => store.remove('a')).not.toThrow();
    expect(store.keys('a')).toEqual([]);
  });

  it('reports a write refused for quota as not stored, and keeps reading what is there', () => {
    const storage = new FullStorage();
    storage.map.set('old', 'value');
    const store = createStore(() => storage);

    expect(store.set('new', 'value')).toBe(false);
    expect(store.get('new')).toBeNull();
    expect(store.get('old')).toBe('value');
    expect(store.keys('o')).toEqual(['old']);
  });

  it('keeps the keys found before storage failed mid-listing', () => {
    const storage = new MemoryStorage();
    storage.setItem('p:1', 'a');
    storage.setItem('p:2', 'b');
    const key = vi.spyOn(storage, 'key').mockImplementation((index) => {
      if (index > 0) throw new DOMException('gone', 'SecurityError');
      return 'p:1';
    });
    const store = createStore(() => storage);

    expect(store.keys('p:')).toEqual(['p:1']);
    expect(key).toHaveBeenCalledTimes(2);
  });

  it('opens storage at every call, so it works again once storage does', () => {
    let available = false;
    const storage = new MemoryStorage();
    const store = createStore(() => {
      if (!available) throw new DOMException('denied', 'SecurityError');
      return storage;
    });

    expect(store.set('a', '1')).toBe(false);
    available = true;
    expect(store.set('a', '1')).toBe(true);
    expect(store.get('a')).toBe('1');
  });
});
