import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { type SignedIn, subscribe } from './store';

/** The signed-in user, account and membership, provided by the app shell to every page. */
export const AppContext = createContext<SignedIn | null>(null);

export function useApp(): SignedIn {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp() outside a signed-in page');
  return value;
}

/** Re-renders the caller whenever the demo's stored data changes (here or in another tab). */
export function useStoreVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => subscribe(() => setVersion((v) => v + 1)), []);
  return version;
}
