import { EmptyState, PageHeader } from '../components/ui';
import { Link } from '../router';

export function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <section class="card">
        <EmptyState icon="dashboard" title="This page doesn’t exist">
          <p class="muted">The link may be old or mistyped.</p>
          <Link href="/" class="btn btn-secondary">
            Go to the dashboard
          </Link>
        </EmptyState>
      </section>
    </>
  );
}
