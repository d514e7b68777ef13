/**
 * A tiny History API router. Paths inside the app are written without the `/demo` base ("/invoices");
 * the base comes from Vite. `history.pushState` is looked up on every call, never cached, so the
 * Waymark widget, which wraps it to record page views, sees our navigations.
 */

import type { ComponentChildren, PartialAnchorHTMLAttributes } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { stripBase, withBase } from './lib/routes';

export const BASE = import.meta.env.BASE_URL;

const listeners = new Set<() => void>();
function notify(): void {
  for (const listener of [...listeners]) listener();
}
window.addEventListener('popstate', notify);

export interface Location {
  path: string;
  search: URLSearchParams;
}

function readLocation(): Location {
  return {
    path: stripBase(window.location.pathname, BASE),
    search: new URLSearchParams(window.location.search),
  };
}

export function href(path: string): string {
  return withBase(path, BASE);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = href(to);
  const current = window.location.pathname + window.location.search;
  if (options.replace) window.history.replaceState(null, '', url);
  else if (url !== current) window.history.pushState(null, '', url);
  notify();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(readLocation);
  useEffect(() => {
    const update = () => setLocation(readLocation());
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return location;
}

type AnchorProps = Omit<PartialAnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'role'> & {
  href: string;
  children?: ComponentChildren;
};

/** An ordinary link that navigates in-app on a plain left click and lets the browser handle the rest. */
export function Link({ href: to, onClick, ...rest }: AnchorProps) {
  return (
    <a
      {...rest}
      href={href(to)}
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    />
  );
}
