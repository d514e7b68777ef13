/**
 * JSON over localStorage, falling back to memory when storage is unavailable or full
 * (private browsing, disabled cookies), so the demo keeps working for the current page.
 */

const memory = new Map<string, string>();

function backend(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function readJson<T>(key: string): T | null {
  let raw: string | null | undefined = null;
  try {
    raw = backend()?.getItem(key);
  } catch {
    raw = null;
  }
  raw ??= memory.get(key) ?? null;
  if (raw == null) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export function writeJson(key: string, value: unknown): void {
  const raw = JSON.stringify(value);
  memory.set(key, raw);
  try {
    backend()?.setItem(key, raw);
  } catch {
    // Storage full or blocked: the in-memory copy still serves this page.
  }
}

export function removeKey(key: string): void {
  memory.delete(key);
  try {
    backend()?.removeItem(key);
  } catch {
    // ignore
  }
}
