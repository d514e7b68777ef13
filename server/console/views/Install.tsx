import { useEffect, useRef, useState } from 'preact/hooks';
import { installSnippet } from '../../../shared/install-snippet.ts';
import type { internalPrefix } from '../../../shared/schemas/internal-event.ts';
import { api, ok } from '../api.ts';
import { ErrorNote, Loading, TableWrap, useLoad } from '../components/ui.tsx';
import { count, dateTime, percent } from '../format.ts';
import { identitySamples, type SampleLanguage } from '../identity-samples.ts';
import { base, useSession } from '../session.ts';

/** The widget's own events (README: "Event names starting with `$waymark.` are the widget's own"). */
const internal: typeof internalPrefix = '$waymark.';
/** How often the live indicator asks for new events while the page is visible. */
const pollMs = 3000;
/** How many of the latest events from the app are listed. */
const shown = 5;

// The README's call shapes ("Install the widget in your app"), with the signatures identity
// verification adds.
const examples = `// When a user signs in (userHash: see "Identity verification" below)
waymark.identify('user-42', { name: 'Grace', email: 'grace@acme.com', createdAt: '2026-10-01T09:00:00Z' }, { userHash })
// The account (company) the user works in
waymark.group('acme', { name: 'Acme', plan: 'growth', seats: 12 }, { groupHash })
// What the user does
waymark.track('Invoice Sent', { amount: 120, currency: 'USD' })
// Page views are sent on load and on every single-page-app navigation; one by hand:
waymark.page()
// On sign-out
waymark.reset()`;

/**
 * Everything a developer needs to put Waymark in their app: the snippet with this workspace's
 * publishable key (never the secret one), the calls, identity verification with server-side samples,
 * the allowed origins, and a live indicator that turns green when the app's first event arrives.
 * Every role may read it.
 */
export default function Install() {
  const { workspace } = useSession();
  const settings = useLoad(() => ok(api.v1.admin.workspace.$get()), [workspace.id]);

  if (settings.state === 'loading') return <Loading what="the install page" />;
  if (settings.state === 'error') return <ErrorNote error={settings.error} retry={settings.reload} />;
  const { publishableKey, allowedOrigins, identityVerification: identity } = settings.data;
  // The console is served by the server that serves widget.js and receives the events.
  const snippet = publishableKey ? installSnippet(location.origin, publishableKey) : null;
  return (
    <>
      <h1>Install</h1>
      <p class="lead">
        Put the widget in your app, tell it who the user is, and watch the first events arrive.
      </p>

      <section aria-labelledby="snippet">
        <h2 id="snippet">1. Paste the snippet</h2>
        {snippet ? (
          <>
            <p>
              Into the <code>&lt;head&gt;</code> of every page of your app. The first script queues calls made
              before the widget has loaded (so <code>waymark.identify(…)</code> works at once); the second
              loads it with this workspace's publishable key, which is safe in a page.
            </p>
            <CodeBlock code={snippet} label="the snippet" />
          </>
        ) : (
          <p class="state">
            This workspace has no live publishable key. An admin or owner creates one in{' '}
            <a href={`${base}/settings`}>Keys</a>.
          </p>
        )}
      </section>

      <section aria-labelledby="calls">
        <h2 id="calls">2. Tell Waymark who the user is and what they do</h2>
        <p>
          Every call works before the widget has loaded. <code>identify</code> and <code>group</code> take the
          signatures of identity verification as their third argument.
        </p>
        <CodeBlock code={examples} label="the examples" />
      </section>

      <LiveEvents />

      <section aria-labelledby="identity">
        <h2 id="identity">Identity verification</h2>
        <p>
          Without it, anyone who reads your page can send events as any user id, and for any account. Your
          server signs the ids with the workspace's identity secret (<code>iv_…</code>, kept in your secrets
          store and never sent to a browser), and the page passes the signatures along: <code>userHash</code>{' '}
          signs the user id, <code>groupHash</code> the user id and the account id together (it proves that
          this user belongs to this account).
        </p>
        <p class="state">
          {identity.mode === 'enforce' ? (
            <>
              <strong>Enforced:</strong> the publishable key accepts only signed users and accounts.
            </>
          ) : (
            <>
              <strong>Not enforced.</strong> Browser messages about users: {count(identity.traffic.signed)}{' '}
              signed, {count(identity.traffic.unsigned)} unsigned, {count(identity.traffic.invalid)} badly
              signed (signed share {percent(identity.traffic.signedShare)}). Enforce it in{' '}
              <a href={`${base}/settings#identity`}>Keys</a> once all of it is signed.
            </>
          )}
        </p>
        <Samples />
      </section>

      <section aria-labelledby="origins">
        <h2 id="origins">Allowed origins</h2>
        <p>
          Browsers may send events from these origins, and from this server's own pages (
          <code>{location.origin}</code>):
        </p>
        {allowedOrigins.length === 0 ? (
          <p class="muted">
            None yet: add your app's origin (<code>https://app.acme.com</code>), or its pages' events are
            refused with <code>origin_not_allowed</code>.
          </p>
        ) : (
          <ul aria-label="Allowed origins">
            {allowedOrigins.map((o) => (
              <li key={o}>
                <code>{o}</code>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={`${base}/settings#origins`}>Change the allowed origins in Keys</a> (admins and owners).
        </p>
      </section>
    </>
  );
}

/** The server-side samples, one language at a time, chosen with toggle buttons. */
function Samples() {
  const [language, setLanguage] = useState<SampleLanguage>('Node');
  const sample = identitySamples.find((s) => s.language === language) ?? identitySamples[0];
  return (
    <>
      <h3 id="samples">On your server</h3>
      <fieldset class="toggles">
        <legend>Language</legend>
        {identitySamples.map((s) => (
          <button
            key={s.language}
            type="button"
            aria-pressed={s.language === language}
            onClick={() => setLanguage(s.language)}
          >
            {s.language}
          </button>
        ))}
      </fieldset>
      {sample && <CodeBlock code={sample.code} label={`the ${sample.language} sample`} />}
      <h3>In the page</h3>
      <CodeBlock
        code={`waymark.identify(userId, traits, { userHash }) // the hashes your server computed
waymark.group(groupId, traits, { groupHash })`}
        label="the signed calls"
      />
      <p class="muted">
        Messages sent with the secret key come from your server and need no signature. An admin rotates the
        identity secret with <code>POST /v1/admin/workspace/identity-secrets</code>; the previous one keeps
        working until the next rotation.
      </p>
    </>
  );
}

/**
 * Whether the app's events arrive: green once the first one from the app is stored, with the latest
 * few. Asks every few seconds while the page is visible, and stops when it is hidden or left.
 */
function LiveEvents() {
  const { workspace } = useSession();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const follow = () => {
      if (document.visibilityState !== 'visible') return stop();
      if (timer !== undefined) return;
      setTick((n) => n + 1);
      timer = setInterval(() => setTick((n) => n + 1), pollMs);
    };
    follow();
    document.addEventListener('visibilitychange', follow);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', follow);
    };
  }, []);
  // The widget's own events (checklist shown, step viewed...) are no sign of the app's calls; the
  // admin API has no filter for them, so they are left out here, from the latest 100.
  const events = useLoad(
    () =>
      ok(api.v1.admin.events.$get({ query: { limit: '100' } })).then((page) =>
        page.events.filter((e) => !e.name?.startsWith(internal)).slice(0, shown),
      ),
    [workspace.id, tick],
  );
  const latest = events.state === 'ready' ? events.data : null;
  const receiving = latest !== null && latest.length > 0;
  return (
    <section aria-labelledby="live">
      <h2 id="live">3. See it work</h2>
      <div class={`live ${receiving ? 'live-on' : 'live-off'}`}>
        <span class="live-dot" aria-hidden="true" />
        <p role="status">
          {latest === null ? (
            'Checking for events…'
          ) : receiving ? (
            <strong>Receiving events from your app</strong>
          ) : (
            <strong>Waiting for the first event…</strong>
          )}
        </p>
      </div>
      {events.state === 'error' && <ErrorNote error={events.error} retry={events.reload} />}
      {latest !== null && !receiving && (
        <ol class="next-steps">
          <li>Paste the snippet above into your app and open one of its pages: it sends a page view.</li>
          <li>
            Or, on such a page, run <code>waymark.track('Install check')</code> in the browser's console.
          </li>
          <li>
            Nothing within a few seconds? Add <code>data-debug</code> to the script tag and read the browser's
            console: <code>origin_not_allowed</code> means your app's origin is missing below.
          </li>
        </ol>
      )}
      {receiving && (
        <>
          <TableWrap aria-label="Latest events from your app">
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Type</th>
                  <th scope="col">Name</th>
                  <th scope="col">User</th>
                </tr>
              </thead>
              <tbody>
                {latest.map((e) => (
                  <tr key={e.seq}>
                    <td>
                      <time dateTime={e.receivedAt}>{dateTime(e.receivedAt)}</time>
                    </td>
                    <td>{e.type}</td>
                    <th scope="row">{e.name ?? '–'}</th>
                    <td>{e.userId ?? e.anonymousId ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <p>
            <a href={`${base}/events`}>All live events</a>
          </p>
        </>
      )}
    </section>
  );
}

/**
 * Code to copy: the clipboard where the browser allows it, else the text selected for Ctrl+C. The
 * outcome is said in a status message.
 */
function CodeBlock({ code, label }: { code: string; label: string }) {
  const text = useRef<HTMLPreElement>(null);
  const [status, setStatus] = useState('');
  useEffect(() => {
    if (!status) return;
    const timer = setTimeout(() => setStatus(''), 5000);
    return () => clearTimeout(timer);
  }, [status]);
  const copy = async () => {
    try {
      // Absent on a page that is not a secure context; refused without the user's permission.
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(code);
      setStatus('Copied');
    } catch {
      const selection = getSelection();
      if (text.current && selection) selection.selectAllChildren(text.current);
      setStatus('Selected: press Ctrl+C (⌘C on a Mac) to copy');
    }
  };
  return (
    <div class="code-block">
      <pre ref={text}>
        <code>{code}</code>
      </pre>
      <div class="code-tools">
        <button type="button" onClick={copy}>
          Copy <span class="visually-hidden">{label}</span>
        </button>
        <span role="status">{status}</span>
      </div>
    </div>
  );
}
