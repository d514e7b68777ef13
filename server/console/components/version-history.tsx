import { useState } from 'preact/hooks';
import { diffContent } from '../content-diff.ts';
import { dateTime } from '../format.ts';
import { ErrorNote, Loading, TableWrap, useLoad } from './ui.tsx';

/** A published version as the list shows it. */
export interface VersionSummary {
  version: number;
  publishedAt: string;
}

type Side = number | 'draft';
const sideName = (side: Side) => (side === 'draft' ? 'the saved draft' : `version ${side}`);

/**
 * The published versions of a piece of content, newest first, and what changed between any two of
 * them (or a version and the saved draft), field by field. `load` reads one version's content
 * (`GET /<plural>/{id}/versions/{version}`).
 */
export function VersionHistory({
  versions,
  draft,
  load,
}: {
  versions: readonly VersionSummary[];
  /** The saved draft's content. */
  draft: unknown;
  load(version: number): Promise<unknown>;
}) {
  const [latest, previous] = versions;
  const [from, setFrom] = useState<Side>(previous?.version ?? latest?.version ?? 'draft');
  const [to, setTo] = useState<Side>(previous ? (latest?.version ?? 'draft') : 'draft');
  const read = (side: Side) => (side === 'draft' ? Promise.resolve(draft) : load(side));
  const diff = useLoad(async () => {
    const [a, b] = await Promise.all([read(from), read(to)]);
    return diffContent(a, b);
  }, [from, to, draft]);
  if (!latest) return <p class="muted">Not published yet: Publish makes the saved draft version 1.</p>;
  const sides: Side[] = ['draft', ...versions.map((v) => v.version)];
  const picker = (label: string, value: Side, set: (side: Side) => void) => (
    <label>
      {label}
      <select
        value={String(value)}
        onChange={(e) => set(e.currentTarget.value === 'draft' ? 'draft' : Number(e.currentTarget.value))}
      >
        {sides.map((side) => (
          <option key={side} value={String(side)}>
            {side === 'draft' ? 'Saved draft' : `Version ${side}`}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <>
      <TableWrap aria-label="Published versions">
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Published</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <th scope="row">
                  Version {v.version}
                  {v === latest && <span class="muted"> (live)</span>}
                </th>
                <td>{dateTime(v.publishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <h3 id="compare">Compare</h3>
      <div class="filters">
        {picker('From', from, setFrom)}
        {picker('To', to, setTo)}
      </div>
      {diff.state === 'loading' && <Loading what="the versions" />}
      {diff.state === 'error' && <ErrorNote error={diff.error} retry={diff.reload} />}
      {diff.state === 'ready' &&
        (diff.data.length === 0 ? (
          <p class="state">
            No difference between {sideName(from)} and {sideName(to)}.
          </p>
        ) : (
          <TableWrap aria-label={`Changes from ${sideName(from)} to ${sideName(to)}`}>
            <table class="compact diff">
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">{from === 'draft' ? 'Saved draft' : `Version ${from}`}</th>
                  <th scope="col">{to === 'draft' ? 'Saved draft' : `Version ${to}`}</th>
                </tr>
              </thead>
              <tbody>
                {diff.data.map((change) => (
                  <tr key={change.field}>
                    <th scope="row">{change.field}</th>
                    <td class="before">{change.before ?? <span class="muted">(not there)</span>}</td>
                    <td class="after">{change.after ?? <span class="muted">(removed)</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ))}
    </>
  );
}
