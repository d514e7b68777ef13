import { useState } from 'preact/hooks';

type Theme = 'light' | 'dark';
const key = 'waymark-console-theme';

/** The theme chosen with the toggle, else the system's (prefers-color-scheme). */
export function initialTheme(): Theme {
  const saved = localStorage.getItem(key);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme) {
  document.documentElement.dataset.theme = theme;
}

/** Light or dark, remembered on this device. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(
    () => (document.documentElement.dataset.theme as Theme) ?? initialTheme(),
  );
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      aria-pressed={theme === 'dark'}
      onClick={() => {
        localStorage.setItem(key, next);
        applyTheme(next);
        setTheme(next);
      }}
    >
      Dark mode
    </button>
  );
}
