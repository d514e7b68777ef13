import { useState } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { ErrorNote, Loading, TableWrap, useLoad } from '../components/ui.tsx';
import { count, dateTime, percent } from '../format.ts';
import { useSession } from '../session.ts';

type Traffic = {
  signed: number;
  unsigned: number;
  invalid: number;
  trusted: number;
  signedShare: number | null;
};

/**
 * The workspace's keys (rotate with an overlap, revoke), allowed origins and identity verification
 * with the traffic that tells whether it can be enforced. Every member reads it; only admins and
 * owners are offered the changes (the server's rule, server/auth/roles.ts).
 */
export default function Settings() {
  const { workspace, can } = useSession();
  const admin = can('admin');
  const view = useLoad(
    () => Promise.all([ok(api.v1.admin.keys.$get()), ok(api.v1.admin.workspace.$get())]),
    [workspace.id],
  );
  const [shown, setShown] = useState<{ kind: string; key: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const act = async (what: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await what();
      setMessage(done);
      view.reload();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };

  if (view.state === 'loading') return <Loading what="settings" />;
  if (view.state === 'error') return <ErrorNote error={view.error} retry={view.reload} />;
  const [{ keys }, settings] = view.data;
  const identity = settings.identityVerification;
  return (
    <>
      <h1>Keys and identity</h1>
      {message && (
        <p class="state" role="status">
          {message}
        </p>
      )}
      <section aria-labelledby="keys">
        <div class="heading">
          <h2 id="keys">API keys</h2>
          {admin && (
            <div class="tools">
              {(['publishable', 'secret'] as const).map((kind) => (
                <button
                  key={kind}
                  type="button"
                  onClick={() =>
                    act(async () => {
                      const rotated = await ok(api.v1.admin.keys.$post({ json: { kind, overlapHours: 24 } }));
                      setShown({ kind, key: rotated.key });
                    }, `A new ${kind} key; the previous ones keep working for 24 hours.`)
                  }
                >
                  New {kind} key
                </button>
              ))}
            </div>
          )}
        </div>
        {shown && (
          <div class="state">
            <p>
              <strong>The new {shown.kind} key</strong>
              {shown.kind === 'secret'
                ? ', shown this once (it is stored only as a hash): keep it now.'
                : '.'}
            </p>
            <p>
              <code>{shown.key}</code>
            </p>
          </div>
        )}
        <TableWrap aria-label="Keys of this workspace">
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Kind</th>
                <th scope="col">Created</th>
                <th scope="col">Works until</th>
                <th scope="col">State</th>
                {admin && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row">
                    <code>{k.key ?? k.hint}</code>
                  </th>
                  <td>{k.kind}</td>
                  <td>{dateTime(k.createdAt)}</td>
                  <td>{k.expiresAt ? dateTime(k.expiresAt) : 'no end'}</td>
                  <td>{k.revokedAt ? `revoked ${dateTime(k.revokedAt)}` : k.live ? 'live' : 'ended'}</td>
                  {admin && (
                    <td>
                      {k.live && (
                        <button
                          type="button"
                          onClick={() =>
                            act(
                              () => ok(api.v1.admin.keys[':id'].revoke.$post({ param: { id: k.id } })),
                              `Key ${k.hint} revoked.`,
                            )
                          }
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        <p class="muted">
          A workspace always keeps one key of each kind with no end: rotate first, then revoke the old one.
        </p>
      </section>
      <section aria-labelledby="identity">
        <h2 id="identity">Identity verification</h2>
        <p>
          {identity.mode === 'enforce'
            ? 'Enforced: the publishable key accepts only signed users and accounts.'
            : 'Not enforced: anyone with the publishable key can send events as any user. Enforce it once all browser traffic is signed.'}
        </p>
        <TableWrap aria-label="Identity traffic">
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">Messages</th>
                <th scope="col">Signed</th>
                <th scope="col">Unsigned</th>
                <th scope="col">Badly signed</th>
                <th scope="col">From your server</th>
                <th scope="col">Signed share</th>
              </tr>
            </thead>
            <tbody>
              {(
                [
                  ['About users', identity.traffic],
                  ['Naming accounts', identity.accountTraffic],
                ] as Array<[string, Traffic]>
              ).map(([label, t]) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td>{count(t.signed)}</td>
                  <td>{count(t.unsigned)}</td>
                  <td>{count(t.invalid)}</td>
                  <td>{count(t.trusted)}</td>
                  <td>{percent(t.signedShare)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {admin && (
          <p>
            <button
              type="button"
              onClick={() => {
                const next = identity.mode === 'enforce' ? 'off' : 'enforce';
                act(
                  () => ok(api.v1.admin.workspace.$patch({ json: { identityVerification: next } })),
                  next === 'enforce' ? 'Identity verification is enforced.' : 'Identity verification is off.',
                );
              }}
            >
              {identity.mode === 'enforce' ? 'Stop enforcing' : 'Enforce identity verification'}
            </button>
          </p>
        )}
      </section>
      <section aria-labelledby="origins">
        <h2 id="origins">Allowed origins</h2>
        <p>Browsers may send events from these origins (and from this server's own pages):</p>
        {settings.allowedOrigins.length === 0 ? (
          <p class="muted">None yet: calls without an Origin (servers) still work.</p>
        ) : (
          <ul>
            {settings.allowedOrigins.map((o) => (
              <li key={o}>
                <code>{o}</code>
              </li>
            ))}
          </ul>
        )}
        {admin && (
          <OriginsForm
            origins={settings.allowedOrigins}
            onSave={(allowedOrigins) =>
              act(
                () => ok(api.v1.admin.workspace.$patch({ json: { allowedOrigins } })),
                'Allowed origins saved.',
              )
            }
          />
        )}
      </section>
    </>
  );
}

function OriginsForm({ origins, onSave }: { origins: string[]; onSave(origins: string[]): void }) {
  const [text, setText] = useState(origins.join('\n'));
  return (
    <form
      class="narrow-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(text.split(/\s+/).filter(Boolean));
      }}
    >
      <label>
        One origin per line (<code>https://app.acme.com</code>, <code>https://*.acme.com</code>)
        <textarea rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button type="submit">Save origins</button>
    </form>
  );
}
