import { useEffect, useErrorBoundary, useRef, useState } from 'preact/hooks';
import type { DeliveredChecklist, DeliveredItem } from '../../shared/schemas/content.ts';
import type { Theme } from '../../shared/schemas/theme.ts';
import { safeCall } from '../safe-call.ts';
import type { ViewHost } from '../view-loader.ts';
import type { Controller } from './controller.ts';
import { plainText } from './markdown.tsx';
import { navigate } from './navigate.ts';
import { Panel, progress } from './panel.tsx';
import { direction, format, strings } from './strings.ts';
import { themeMode, themeVariables } from './theme.ts';

/** An `open()` from the host app; `n` counts them so that each one opens the panel once. */
export interface OpenRequest {
  checklistId?: string | undefined;
  n: number;
}

export interface AppProps {
  host: ViewHost;
  controller: Pick<Controller, 'check' | 'dismiss'>;
  /** This page's checklists; the first is shown, unless another was opened. */
  checklists: DeliveredChecklist[];
  theme: Partial<Theme> | undefined;
  locale: string;
  user: string;
  request: OpenRequest;
  /** The host document's `dir`, for text whose language is unknown. */
  documentDir: string;
}

/** What this user has seen of a checklist on this device, so that `shown` and `completed` go once. */
interface Memory {
  shown?: number;
  completed?: number;
  open?: boolean;
}

const panelId = 'wm-checklist';

/** The view, behind an error boundary: a bug in it hides the widget and logs, never reaches the page. */
export function Root(props: AppProps) {
  const [error] = useErrorBoundary((e: unknown) => props.host.logger.log('internal error', e));
  return error ? null : <App {...props} />;
}

/**
 * The launcher (a button with the progress), the panel it opens, and a live region that announces
 * progress. Sends the widget's interaction events: shown (once per version per user), opened,
 * closed, item clicked, item checked, completed (once per version per user), dismissed.
 */
export function App({ host, controller, checklists, theme, locale, user, request, documentDir }: AppProps) {
  const [selected, setSelected] = useState<string>();
  const [openId, setOpenId] = useState<string>();
  const [announcement, setAnnouncement] = useState('');
  const launcher = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const focusPanel = useRef(false);
  const handled = useRef(0);
  const doneBefore = useRef(new Map<string, Set<string>>());

  const checklist = checklists.find((c) => c.id === selected) ?? checklists[0];
  const t = strings(locale);
  const safe =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) =>
      safeCall(host.logger, fn)(...args);

  const memoryKey = (c: DeliveredChecklist) => `${host.prefix}:ui:${user}:${c.id}`;
  const recall = (c: DeliveredChecklist): Memory => {
    try {
      return JSON.parse(host.store.get(memoryKey(c)) ?? '{}') ?? {};
    } catch {
      return {};
    }
  };
  const remember = (c: DeliveredChecklist, patch: Memory) =>
    host.store.set(memoryKey(c), JSON.stringify({ ...recall(c), ...patch }));
  const ref = (c: DeliveredChecklist) => ({ contentId: c.id, version: c.version });

  const open = (c: DeliveredChecklist, focus: boolean) => {
    setSelected(c.id);
    focusPanel.current = focus;
    if (openId === c.id) return;
    setOpenId(c.id);
    remember(c, { open: true });
    host.emit('checklist_opened', ref(c));
  };
  const close = (c: DeliveredChecklist, returnFocus: boolean) => {
    setOpenId(undefined);
    remember(c, { open: false });
    host.emit('checklist_closed', ref(c));
    if (returnFocus) launcher.current?.focus();
  };

  // First sight of this version: `shown`; first sight ever, and the author wants it: open the panel.
  useEffect(
    safe(() => {
      if (!checklist) return;
      const memory = recall(checklist);
      if (memory.shown !== checklist.version) {
        const firstView = memory.shown === undefined && !checklist.seen;
        remember(checklist, { shown: checklist.version });
        host.emit('checklist_shown', ref(checklist));
        if (firstView && checklist.openOnFirstView) open(checklist, false);
      } else if (memory.open && openId !== checklist.id) {
        setOpenId(checklist.id); // left open on the previous page: still open, not opened again
      }
    }),
    [checklist?.id, checklist?.version, user],
  );

  const { done, total, complete } = checklist ? progress(checklist) : { done: 0, total: 0, complete: false };

  useEffect(
    safe(() => {
      if (!checklist || !complete || recall(checklist).completed === checklist.version) return;
      remember(checklist, { completed: checklist.version });
      host.emit('checklist_completed', ref(checklist));
    }),
    [checklist?.id, checklist?.version, user, complete],
  );

  // Announce items that became done since the last render (a tick, the server's confirmation...).
  useEffect(
    safe(() => {
      if (!checklist) return;
      const key = `${user}\n${checklist.id}`;
      const now = new Set(checklist.items.filter((item) => item.doneAt).map((item) => item.id));
      const before = doneBefore.current.get(key);
      doneBefore.current.set(key, now);
      const newly = before ? checklist.items.filter((item) => now.has(item.id) && !before.has(item.id)) : [];
      if (newly.length) {
        setAnnouncement(
          newly.map((item) => format(t.itemDone, { title: plainText(item.title), done, total })).join(' '),
        );
      }
    }),
  );

  useEffect(
    safe(() => {
      if (request.n === handled.current) return;
      handled.current = request.n;
      const target = checklists.find((c) => c.id === request.checklistId) ?? checklist;
      if (target) open(target, true);
    }),
    [request.n],
  );

  useEffect(() => {
    if (focusPanel.current && panel.current && !panel.current.hidden) {
      focusPanel.current = false;
      panel.current.focus();
    }
  });

  if (!checklist) return null;
  const isOpen = openId === checklist.id;
  const title = plainText(checklist.title) || t.gettingStarted;

  const onAction = (item: DeliveredItem) => {
    host.emit('checklist_item_clicked', { ...ref(checklist), itemId: item.id });
    const action = item.action;
    if (action?.kind === 'url') {
      if (!action.newTab) setOpenId(undefined); // out of the way of the page the user goes to
      navigate(action.url, action.newTab);
    } else if (action?.kind === 'callback') {
      host.callback(action.name, { checklistId: checklist.id, itemId: item.id });
    } else if (action?.kind === 'spotlight') {
      host.logger.log('spotlights are not available yet', action.contentId);
    }
  };

  return (
    <div
      class="root"
      dir={direction(checklist.locale || locale, documentDir)}
      data-mode={themeMode(theme)}
      data-position={checklist.position === 'bottom-left' ? 'bottom-left' : 'bottom-right'}
      style={themeVariables(theme)}
    >
      <aside aria-label={t.gettingStarted}>
        <button
          ref={launcher}
          type="button"
          class="launcher"
          aria-expanded={isOpen}
          aria-controls={panelId}
          aria-label={`${title}, ${format(t.progress, { done, total })}`}
          onClick={safe(() => (isOpen ? close(checklist, false) : open(checklist, true)))}
          onKeyDown={safe((event: KeyboardEvent) => {
            if (event.key === 'Escape' && isOpen) close(checklist, true);
          })}
        >
          <Ring done={done} total={total} complete={complete} />
          <span class="name">{title}</span>
          <span class="count">{format(t.count, { done, total })}</span>
        </button>
        <div
          onKeyDown={safe((event: KeyboardEvent) => {
            if (event.key !== 'Escape' || !isOpen) return;
            event.stopPropagation(); // the Escape was for us, not for the host page's own dialogs
            close(checklist, true);
          })}
        >
          <Panel
            checklist={checklist}
            t={t}
            id={panelId}
            open={isOpen}
            panelRef={panel}
            onClose={safe(() => close(checklist, true))}
            onDismiss={safe(() => {
              remember(checklist, { open: false });
              setOpenId(undefined);
              controller.dismiss(checklist);
            })}
            onCheck={safe((item: DeliveredItem) => controller.check(checklist, item.id))}
            onAction={safe(onAction)}
          />
        </div>
        <div class="sr" role="status" aria-live="polite">
          {announcement}
        </div>
      </aside>
    </div>
  );
}

/** The progress ring of the launcher, decorative (the button's name says the numbers). */
function Ring({ done, total, complete }: { done: number; total: number; complete: boolean }) {
  const circumference = 2 * Math.PI * 11;
  return (
    <svg class="ring" width="30" height="30" viewBox="0 0 30 30" aria-hidden="true">
      <circle class="track" cx="15" cy="15" r="11" />
      <circle
        class="fill"
        cx="15"
        cy="15"
        r="11"
        stroke-dasharray={circumference}
        stroke-dashoffset={circumference * (1 - (total ? done / total : 0))}
      />
      {complete && (
        <path
          d="M10 15.5l3.5 3.5 6.5-7"
          fill="none"
          stroke="currentColor"
          stroke-width="2.5"
          stroke-linecap="round"
          stroke-linejoin="round"
        />
      )}
    </svg>
  );
}
