import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { ApiProblem } from './api/problem';
import { Layout } from './components/layout';
import { AcceptInvitationPage } from './pages/accept-invitation';
import { TenantPage } from './pages/admin-tenant';
import { TokensPage } from './pages/admin-tokens';
import { UsersPage } from './pages/admin-users';
import { ApprovalsPage } from './pages/approvals';
import { AuditPage } from './pages/audit';
import { ModelsPage } from './pages/catalog-models';
import { VersionsPage } from './pages/catalog-versions';
import { DatasetPage, DatasetsPage, DatasetVersionPage, UploadDatasetPage } from './pages/datasets';
import { ExecutionPage } from './pages/execution-page';
import { NewModelPage } from './pages/model-new';
import { ModelPage } from './pages/model-page';
import { ComparePage } from './pages/compare';
import { DeploymentsPage, EndpointPage, NewDeploymentPage } from './pages/deployments';
import { PoliciesPage } from './pages/policies';
import { BatchJobsPage } from './pages/batch-jobs';
import { BatchJobPage } from './pages/batch-job-page';
import { PipelinesPage, StartPipelinePage } from './pages/pipelines';
import { PlatformTenantsPage } from './pages/platform-tenants';
import { ProjectsPage } from './pages/projects';
import { SignInPage } from './pages/sign-in';
import { SignUpPage } from './pages/sign-up';
import { VersionPage } from './pages/version-page';
import { SessionProvider, useSession } from './session/session';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // Client mistakes and refusals do not get better by asking again.
      retry: (count, error) => count < 2 && !(error instanceof ApiProblem && error.problem.status < 500),
    },
  },
});

function RequireSession({ kind, children }: { kind?: 'user' | 'platform-admin'; children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  if (kind && session.kind !== kind) return <Navigate to="/" replace />;
  return <>{children}</>;
}

function Home() {
  const { session } = useSession();
  if (!session) return <Navigate to="/sign-in" replace />;
  return <Navigate to={session.kind === 'platform-admin' ? '/platform/tenants' : '/models'} replace />;
}

/** Moves focus to the page's main region after navigation, so keyboard and screen-reader users start at the content. */
function FocusOnNavigate() {
  const location = useLocation();
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.pathname]);
  return null;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <BrowserRouter>
          <FocusOnNavigate />
          <Routes>
            <Route path="/sign-in" element={<SignInPage />} />
            <Route path="/sign-up" element={<SignUpPage />} />
            <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
            <Route path="/" element={<Home />} />
            <Route
              element={
                <RequireSession kind="platform-admin">
                  <Layout />
                </RequireSession>
              }
            >
              <Route path="/platform/tenants" element={<PlatformTenantsPage />} />
            </Route>
            <Route
              element={
                <RequireSession kind="user">
                  <Layout />
                </RequireSession>
              }
            >
              <Route path="/models" element={<ModelsPage />} />
              <Route path="/models/new" element={<NewModelPage />} />
              <Route path="/models/:modelId" element={<ModelPage />} />
              <Route path="/models/:modelId/versions/:version" element={<VersionPage />} />
              <Route path="/versions" element={<VersionsPage />} />
              <Route path="/projects" element={<ProjectsPage />} />
              <Route path="/datasets" element={<DatasetsPage />} />
              <Route path="/datasets/new" element={<UploadDatasetPage />} />
              <Route path="/datasets/:datasetId" element={<DatasetPage />} />
              <Route path="/datasets/:datasetId/upload" element={<UploadDatasetPage />} />
              <Route path="/datasets/:datasetId/versions/:version" element={<DatasetVersionPage />} />
              <Route path="/pipelines" element={<PipelinesPage />} />
              <Route path="/pipelines/:pipeline" element={<StartPipelinePage />} />
              <Route path="/executions/:executionId" element={<ExecutionPage />} />
              <Route path="/approvals" element={<ApprovalsPage />} />
              <Route path="/admin/users" element={<UsersPage />} />
              <Route path="/admin/tokens" element={<TokensPage />} />
              <Route path="/admin/tenant" element={<TenantPage />} />
              <Route path="/admin/policies" element={<PoliciesPage />} />
              <Route path="/audit" element={<AuditPage />} />
              <Route path="/deployments" element={<DeploymentsPage />} />
              <Route path="/deployments/new" element={<NewDeploymentPage />} />
              <Route path="/deployments/:endpointName" element={<EndpointPage />} />
              <Route path="/batch-jobs" element={<BatchJobsPage />} />
              <Route path="/batch-jobs/:jobId" element={<BatchJobPage />} />
              <Route path="/compare" element={<ComparePage />} />
            </Route>
            <Route path="*" element={<NotFound />} />
          </Routes>
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}

function NotFound() {
  return (
    <main id="main" className="auth">
      <div className="auth-card">
        <h1>Page not found</h1>
        <p>
          The link may be old. <a href="/">Go to the start page</a>.
        </p>
      </div>
    </main>
  );
}
