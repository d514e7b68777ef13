import { api, ok } from '../api.ts';
import { Empty, ErrorNote, Loading, TableWrap, useLoad } from '../components/ui.tsx';
import { dateTime } from '../format.ts';
import { base, useSession } from '../session.ts';

/** What the list shows of any kind of content (the admin API's records: README, "Content"). */
interface Row {
  id: string;
  name: string;
  status: 'active' | 'archived';
  publishedVersion: number | null;
  hasUnpublishedChanges: boolean;
  draftUpdatedAt: string;
}

/** Draft, published version N (with changes not yet published), or archived. */
function contentStatus(row: Row): string {
  if (row.status === 'archived') return 'Archived';
  if (row.publishedVersion === null) return 'Draft';
  return `Published version ${row.publishedVersion}${row.hasUnpublishedChanges ? ', draft changed since' : ''}`;
}

const kinds = [
  {
    id: 'checklists',
    title: 'Checklists',
    noun: 'checklist',
    create: 'New checklist',
    what: 'A checklist guides new users through the first steps of your product, ticking each one as they do it.',
  },
  {
    id: 'spotlights',
    title: 'Tours and spotlights',
    noun: 'tour or spotlight',
    create: 'New tour',
    what: 'A tour walks people through a page step by step; a spotlight points at one thing.',
  },
  {
    id: 'surveys',
    title: 'NPS surveys',
    noun: 'survey',
    create: 'New survey',
    what: 'An NPS survey asks how likely people are to recommend you, and why.',
  },
] as const;
type Kind = (typeof kinds)[number]['id'];

async function loadContent(): Promise<Record<Kind, Row[]>> {
  const [checklists, spotlights, surveys] = await Promise.all([
    ok(api.v1.admin.checklists.$get()),
    ok(api.v1.admin.spotlights.$get()),
    ok(api.v1.admin.surveys.$get()),
  ]);
  return {
    checklists: checklists.checklists,
    spotlights: spotlights.spotlights,
    surveys: surveys.surveys,
  };
}

/**
 * Content (`/app/content`): the workspace's checklists, tours and spotlights, and NPS surveys, each
 * with its status and last change, opening its builder. Editors, admins and owners create; viewers
 * read (README, "Console").
 */
export default function Content() {
  const { workspace, can } = useSession();
  const view = useLoad(loadContent, [workspace.id]);
  const author = can('editor');
  return (
    <>
      <h1>Content</h1>
      <p class="lead">
        What your users see in your product: build it here, save it as a draft, and publish it when it is
        ready.
      </p>
      {!author && (
        <p class="state">
          You are a viewer in this workspace: you can open everything here but not create or change it.
        </p>
      )}
      {view.state === 'loading' && <Loading what="the content" />}
      {view.state === 'error' && <ErrorNote error={view.error} retry={view.reload} />}
      {view.state === 'ready' &&
        kinds.map((kind) => {
          const rows = view.data[kind.id];
          const headingId = `content-${kind.id}`;
          return (
            <section key={kind.id}>
              <div class="heading">
                <h2 id={headingId}>{kind.title}</h2>
                {author && (
                  <a class="button primary" href={`${base}/content/${kind.id}/new`}>
                    {kind.create}
                  </a>
                )}
              </div>
              {rows.length === 0 ? (
                <Empty title={`No ${kind.noun} yet.`}>
                  {kind.what}{' '}
                  {author
                    ? `Choose “${kind.create}” to build one; it stays a draft until you publish it.`
                    : 'An editor, admin or owner of this workspace can create one.'}
                </Empty>
              ) : (
                <TableWrap aria-labelledby={headingId}>
                  <table class="compact">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Status</th>
                        <th scope="col">Last change</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((row) => (
                        <tr key={row.id}>
                          <th scope="row">
                            <a href={`${base}/content/${kind.id}/${encodeURIComponent(row.id)}`}>
                              {row.name}
                            </a>
                          </th>
                          <td>{contentStatus(row)}</td>
                          <td>{dateTime(row.draftUpdatedAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}
            </section>
          );
        })}
    </>
  );
}
