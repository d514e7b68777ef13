import { createContext, render } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { LocationProvider, lazy, Route, Router, useLocation } from 'preact-iso';
import { ApiFailure, api, call, ok, whenSignedOut } from './api.ts';
import { Shell } from './components/Shell.tsx';
import { applyTheme, initialTheme } from './components/theme.tsx';
import { ErrorNote, Loading } from './components/ui.tsx';
import { atLeast, base, type ConsoleSession, SessionContext, type SessionState } from './session.ts';
import './styles.css';
import { InvitationPage } from './views/Invitation.tsx';
import { Setup } from './views/Setup.tsx';
import { ForgotPassword, ResetPassword, SignIn } from './views/SignIn.tsx';

// One chunk per view, loaded when first opened: the sign-in page never downloads the charts.
const Portfolio = lazy(() => import('./views/Portfolio.tsx'));
const Account = lazy(() => import('./views/Account.tsx'));
const Nps = lazy(() => import('./views/Nps.tsx'));
const Events = lazy(() => import('./views/Events.tsx'));
const Members = lazy(() => import('./views/Members.tsx'));
const Settings = lazy(() => import('./views/Settings.tsx'));
const Install = lazy(() => import('./views/Install.tsx'));
const Health = lazy(() => import('./views/Health.tsx'));
const Onboarding = lazy(() => import('./views/Onboarding.tsx'));
const Adoption = lazy(() => import('./views/Adoption.tsx'));
const Tours = lazy(() => import('./views/Tours.tsx'));
const Users = lazy(() => import('./views/Users.tsx'));
const User = lazy(() => import('./views/User.tsx'));
// Authoring (README, "Console"): the content list and the checklist, survey and tour builders.
const Content = lazy(() => import('./views/Content.tsx'));
const ChecklistBuilder = lazy(() => import('./views/ChecklistBuilder.tsx'));
const SurveyBuilder = lazy(() => import('./views/SurveyBuilder.tsx'));
const SpotlightBuilder = lazy(() => import('./views/SpotlightBuilder.tsx'));
const Webhooks = lazy(() => import('./views/Webhooks.tsx'));
const NotFound = lazy(() => import('./views/NotFound.tsx'));

/** What the signed-out pages need of the app: reload the session once they have signed someone in. */
const Refresh = createContext<{ refresh(): Promise<void>; signedIn: boolean }>({
  refresh: async () => {},
  signedIn: false,
});
const SignInRoute = () => <SignIn onSignedIn={useContext(Refresh).refresh} />;
const SetupRoute = () => <Setup onDone={useContext(Refresh).refresh} />;
const InvitationRoute = () => {
  const { refresh, signedIn } = useContext(Refresh);
  return <InvitationPage signedIn={signedIn} onChange={refresh} />;
};

type Who =
  | { state: 'loading' }
  | { state: 'failed'; error: Error }
  | { state: 'signed-out'; needsOwner: boolean }
  | { state: 'signed-in'; session: ConsoleSession };

/**
 * Pages a signed-out visitor may see on an install that has its owner; any other address goes to
 * sign-in and comes back after. An install without one has only the first-run page.
 */
const signedOutPaths = [`${base}/sign-in`, `${base}/forgot-password`, `${base}/reset-password`];

function App() {
  const location = useLocation();
  const [who, setWho] = useState<Who>({ state: 'loading' });

  const refresh = async () => {
    try {
      let session: ConsoleSession = await ok(api.v1.console.session.$get());
      // A member whose session has no workspace chosen yet works in their first one.
      const first = session.workspaces[0];
      if (session.activeWorkspaceId === null && first)
        session = await ok(api.v1.console.session.workspace.$post({ json: { workspaceId: first.id } }));
      setWho({ state: 'signed-in', session });
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.status !== 401) {
        setWho({ state: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
        return;
      }
      const setup = await ok(api.v1.setup.$get()).catch(() => ({ needsOwner: false }));
      setWho({ state: 'signed-out', needsOwner: setup.needsOwner });
    }
  };
  useEffect(() => {
    // Any answer of 401 while signed in (the session expired or was ended elsewhere): to sign-in, and back after.
    whenSignedOut(() =>
      setWho((now) => (now.state === 'signed-in' ? { state: 'signed-out', needsOwner: false } : now)),
    );
    refresh();
  }, []);

  // Signed out: to the first-run page on an empty install, else to sign-in (and back here after).
  // Signed in: away from those pages.
  useEffect(() => {
    if (who.state === 'signed-out') {
      if (who.needsOwner) {
        if (location.path !== `${base}/setup`) location.route(`${base}/setup`, true);
      } else if (
        !signedOutPaths.includes(location.path) &&
        !location.path.startsWith(`${base}/invitations/`)
      ) {
        const back = location.path === `${base}/setup` ? '' : `?next=${encodeURIComponent(location.url)}`;
        location.route(`${base}/sign-in${back}`, true);
      }
    } else if (who.state === 'signed-in' && [...signedOutPaths, `${base}/setup`].includes(location.path)) {
      const next = location.query.next;
      location.route(next?.startsWith(`${base}/`) ? next : `${base}/`, true);
    }
  }, [who, location.path]);

  const state = useMemo<SessionState | null>(() => {
    if (who.state !== 'signed-in') return null;
    const { session } = who;
    const workspace =
      session.workspaces.find((w) => w.id === session.activeWorkspaceId) ?? session.workspaces[0];
    if (!workspace) return null;
    return {
      session,
      workspace,
      can: (needed) => atLeast(workspace.role, needed),
      async switchWorkspace(id) {
        await ok(api.v1.console.session.workspace.$post({ json: { workspaceId: id } }));
        await refresh();
      },
      async signOut() {
        await call('POST', '/api/auth/sign-out', {});
        setWho({ state: 'signed-out', needsOwner: false });
        location.route(`${base}/sign-in`, true);
      },
    };
  }, [who]);

  if (who.state === 'loading')
    return (
      <main id="main" class="narrow">
        <Loading what="the console" />
      </main>
    );
  if (who.state === 'failed')
    return (
      <main id="main" class="narrow">
        <ErrorNote error={who.error} retry={refresh} />
      </main>
    );
  if (who.state === 'signed-out') {
    return (
      <Refresh.Provider value={{ refresh, signedIn: false }}>
        <Router>
          <Route path={`${base}/setup`} component={SetupRoute} />
          <Route path={`${base}/forgot-password`} component={ForgotPassword} />
          <Route path={`${base}/reset-password`} component={ResetPassword} />
          <Route path={`${base}/invitations/:id`} component={InvitationRoute} />
          <Route default component={SignInRoute} />
        </Router>
      </Refresh.Provider>
    );
  }
  // An invitation link, signed in: a page of its own, outside the workspace's frame.
  if (location.path.startsWith(`${base}/invitations/`))
    return (
      <Refresh.Provider value={{ refresh, signedIn: true }}>
        <Router>
          <Route path={`${base}/invitations/:id`} component={InvitationRoute} />
          <Route default component={NotFound} />
        </Router>
      </Refresh.Provider>
    );
  if (!state)
    return (
      <main id="main" class="narrow">
        <h1>No workspace</h1>
        <p>You are not a member of any workspace yet. Ask an owner to invite you, then sign in again.</p>
      </main>
    );
  return (
    <SessionContext.Provider value={state}>
      <Shell>
        {/* Keyed by workspace: switching remounts every view, so nothing of the other one stays on screen. */}
        <Router key={state.workspace.id}>
          <Route path={`${base}/`} component={Portfolio} />
          <Route path={`${base}/accounts/:id`} component={Account} />
          <Route path={`${base}/nps`} component={Nps} />
          <Route path={`${base}/health`} component={Health} />
          <Route path={`${base}/onboarding`} component={Onboarding} />
          <Route path={`${base}/adoption`} component={Adoption} />
          <Route path={`${base}/tours`} component={Tours} />
          <Route path={`${base}/content`} component={Content} />
          {/* `/content/checklists/new` included: one route, so saving a new one keeps the page. */}
          <Route path={`${base}/content/checklists/:id`} component={ChecklistBuilder} />
          <Route path={`${base}/users`} component={Users} />
          <Route path={`${base}/users/:id`} component={User} />
          <Route path={`${base}/events`} component={Events} />
          <Route path={`${base}/install`} component={Install} />
          <Route path={`${base}/settings`} component={Settings} />
          <Route path={`${base}/team`} component={Members} />
          <Route path={`${base}/content/surveys/:id`} component={SurveyBuilder} />
          <Route path={`${base}/content/spotlights/:id`} component={SpotlightBuilder} />
          <Route path={`${base}/webhooks`} component={Webhooks} />
          <Route default component={NotFound} />
        </Router>
      </Shell>
    </SessionContext.Provider>
  );
}

applyTheme(initialTheme());
render(
  <LocationProvider scope={base}>
    <App />
  </LocationProvider>,
  document.getElementById('app')!,
);
