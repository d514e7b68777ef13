import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { signOut } from '../actions';
import { useApp } from '../context';
import { daysBetween, todayISO } from '../lib/money';
import { Link, navigate } from '../router';
import { ROLE_LABELS } from '../types';
import { Icon, type IconName, Logo } from './icons';
import { Toaster } from './toast';
import { Avatar } from './ui';

interface NavItem {
  path: string;
  label: string;
  icon: IconName;
  tour: string;
}

export const NAV_ITEMS: NavItem[] = [
  { path: '/', label: 'Dashboard', icon: 'dashboard', tour: 'nav-dashboard' },
  { path: '/customers', label: 'Customers', icon: 'customers', tour: 'nav-customers' },
  { path: '/invoices', label: 'Invoices', icon: 'invoices', tour: 'nav-invoices' },
  { path: '/team', label: 'Team', icon: 'team', tour: 'nav-team' },
  { path: '/settings', label: 'Settings', icon: 'settings', tour: 'nav-settings' },
];

function isActive(item: NavItem, path: string): boolean {
  return item.path === '/' ? path === '/' : path === item.path || path.startsWith(`${item.path}/`);
}

const TRIAL_DAYS = 14;

export function Shell({ path, children }: { path: string; children: ComponentChildren }) {
  const { user, account, member } = useApp();
  const [menuOpen, setMenuOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After an in-app navigation: close the mobile menu, scroll up and move focus to the new page's heading,
  // so keyboard and screen-reader users land on the new content. Not on the first load.
  useEffect(() => {
    setMenuOpen(false);
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    window.scrollTo(0, 0);
    const heading = document.getElementById('page-title');
    (heading ?? mainRef.current)?.focus({ preventScroll: true });
  }, [path]);

  const daysUsed = daysBetween(account.createdAt.slice(0, 10), todayISO());
  const trialLeft = Math.max(0, TRIAL_DAYS - daysUsed);

  return (
    <div class={`shell${menuOpen ? ' menu-open' : ''}`}>
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is an in-page link; the handler only moves focus. */}
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <aside class="sidebar">
        <div class="brand">
          <Logo />
          <span class="brand-name">Ledgerly</span>
        </div>
        <nav id="primary-nav" class="nav" aria-label="Main">
          <ul>
            {NAV_ITEMS.map((item) => {
              const active = isActive(item, path);
              return (
                <li key={item.path}>
                  <Link
                    href={item.path}
                    class={`nav-link${active ? ' active' : ''}`}
                    aria-current={active ? 'page' : undefined}
                    data-tour={item.tour}
                  >
                    <Icon name={item.icon} />
                    <span>{item.label}</span>
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div class="sidebar-footer">
          <p class="sidebar-company">{account.name}</p>
          <p class="sidebar-plan">Trial plan · {account.seats} seats</p>
        </div>
      </aside>
      <div class="workspace">
        <header class="topbar">
          <button
            type="button"
            class="icon-button menu-button"
            aria-expanded={menuOpen}
            aria-controls="primary-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            <Icon name="menu" />
            <span class="sr-only">Menu</span>
          </button>
          <div class="topbar-brand">
            <Logo />
            <span class="brand-name">Ledgerly</span>
          </div>
          <span class="trial-pill">
            {trialLeft > 0 ? `Trial · ${trialLeft} ${trialLeft === 1 ? 'day' : 'days'} left` : 'Trial ended'}
          </span>
          <div class="topbar-user">
            <Avatar name={user.name} />
            <div class="user-text">
              <span class="user-name">{user.name}</span>
              <span class="user-company">
                {account.name} · {ROLE_LABELS[member.role]}
              </span>
            </div>
          </div>
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            data-tour="sign-out"
            onClick={() => {
              signOut();
              navigate('/signin');
            }}
          >
            <Icon name="logout" size={16} />
            <span>Sign out</span>
          </button>
        </header>
        <main id="main" ref={mainRef} tabIndex={-1} class="main">
          {children}
        </main>
      </div>
      <Toaster />
    </div>
  );
}
