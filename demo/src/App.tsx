import { useEffect } from 'preact/hooks';
import { Shell } from './components/Shell';
import { AppContext, useStoreVersion } from './context';
import { resolveRoute, safeNext } from './lib/routes';
import { Customers } from './pages/Customers';
import { Dashboard } from './pages/Dashboard';
import { InvoiceDetail } from './pages/InvoiceDetail';
import { InvoiceNew } from './pages/InvoiceNew';
import { Invoices } from './pages/Invoices';
import { NotFound } from './pages/NotFound';
import { Settings } from './pages/Settings';
import { SignIn } from './pages/SignIn';
import { Team } from './pages/Team';
import { navigate, useLocation } from './router';
import { currentContext } from './store';

export function App() {
  useStoreVersion();
  const location = useLocation();
  const context = currentContext();
  const route = resolveRoute(location.path);

  // Signed out: every page shows sign-in (remembering where to go next). Signed in: /signin leaves.
  const mustSignIn = !context && route.name !== 'signin';
  const mustLeave = context !== null && route.name === 'signin';
  useEffect(() => {
    if (mustSignIn) {
      const next =
        location.path === '/' ? '' : `?next=${encodeURIComponent(location.path + window.location.search)}`;
      navigate(`/signin${next}`, { replace: true });
    } else if (mustLeave) {
      navigate(safeNext(location.search.get('next')), { replace: true });
    }
  }, [mustSignIn, mustLeave, location.path, location.search]);

  if (!context) return <SignIn />;
  if (mustLeave) return null;

  let page = <NotFound />;
  switch (route.name) {
    case 'dashboard':
      page = <Dashboard />;
      break;
    case 'customers':
      page = <Customers key={location.search.toString()} />;
      break;
    case 'invoices':
      page = <Invoices />;
      break;
    case 'invoiceNew':
      page = <InvoiceNew key={location.search.get('customer') ?? ''} />;
      break;
    case 'invoice':
      page = <InvoiceDetail id={route.params.id ?? ''} key={route.params.id} />;
      break;
    case 'team':
      page = <Team />;
      break;
    case 'settings':
      page = <Settings />;
      break;
  }

  return (
    <AppContext.Provider value={context}>
      <Shell path={location.path}>{page}</Shell>
    </AppContext.Provider>
  );
}
