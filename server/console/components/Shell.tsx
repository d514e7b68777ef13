import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { base, useSession } from '../session.ts';
import { ThemeToggle } from './theme.tsx';

const sections = [
  {
    href: `${base}/`,
    label: 'Portfolio',
    match: (p: string) => p === base || p === `${base}/` || p.startsWith(`${base}/accounts`),
  },
  { href: `${base}/health`, label: 'Health', match: (p: string) => p.startsWith(`${base}/health`) },
  { href: `${base}/nps`, label: 'NPS', match: (p: string) => p.startsWith(`${base}/nps`) },
  {
    href: `${base}/onboarding`,
    label: 'Onboarding',
    match: (p: string) => p.startsWith(`${base}/onboarding`),
  },
  { href: `${base}/adoption`, label: 'Adoption', match: (p: string) => p.startsWith(`${base}/adoption`) },
  { href: `${base}/content`, label: 'Content', match: (p: string) => p.startsWith(`${base}/content`) },
  { href: `${base}/tours`, label: 'Tours', match: (p: string) => p.startsWith(`${base}/tours`) },
  { href: `${base}/users`, label: 'People', match: (p: string) => p.startsWith(`${base}/users`) },
  { href: `${base}/events`, label: 'Live events', match: (p: string) => p.startsWith(`${base}/events`) },
  { href: `${base}/install`, label: 'Install', match: (p: string) => p.startsWith(`${base}/install`) },
  { href: `${base}/settings`, label: 'Keys', match: (p: string) => p.startsWith(`${base}/settings`) },
  { href: `${base}/team`, label: 'Team', match: (p: string) => p.startsWith(`${base}/team`) },
  {
    href: `${base}/webhooks`,
    label: 'Webhooks & alerts',
    match: (p: string) => p.startsWith(`${base}/webhooks`),
  },
];

/** The frame of every signed-in page: sections, the workspace switcher, the theme, the member and sign-out. */
export function Shell({ children }: { children: ComponentChildren }) {
  const { session, workspace, switchWorkspace, signOut } = useSession();
  const { path } = useLocation();
  const [busy, setBusy] = useState(false);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={`${base}/`}>
          Waymark
        </a>
        <nav aria-label="Sections">
          <ul>
            {sections.map((s) => (
              <li key={s.href}>
                <a href={s.href} aria-current={s.match(path) ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="tools">
          <label class="switcher">
            <span>Workspace</span>
            <select
              value={workspace.id}
              disabled={busy || session.workspaces.length < 2}
              onChange={async (e) => {
                setBusy(true);
                await switchWorkspace(e.currentTarget.value).finally(() => setBusy(false));
              }}
            >
              {session.workspaces.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
          <span class="who" title={session.user.email}>
            {session.user.name || session.user.email} <span class="role">{workspace.role}</span>
          </span>
          <ThemeToggle />
          <button type="button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
