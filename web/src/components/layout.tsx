import { useQuery } from '@tanstack/react-query';
import { NavLink, Outlet } from 'react-router';
import { unwrap } from '../api/problem';
import { useApi, useSession } from '../session/session';

interface NavItem {
  readonly to: string;
  readonly label: string;
  readonly soon?: boolean;
}

const TENANT_NAV: readonly { heading: string; items: readonly NavItem[] }[] = [
  {
    heading: 'Catalog',
    items: [
      { to: '/models', label: 'Models' },
      { to: '/versions', label: 'Versions' },
      { to: '/projects', label: 'Projects' },
      { to: '/datasets', label: 'Datasets' },
    ],
  },
  {
    heading: 'Work',
    items: [
      { to: '/pipelines', label: 'Pipelines' },
      { to: '/approvals', label: 'Approvals' },
      { to: '/compare', label: 'Compare' },
      { to: '/deployments', label: 'Deployments' },
    ],
  },
  {
    heading: 'Administration',
    items: [
      { to: '/admin/users', label: 'Users' },
      { to: '/admin/tokens', label: 'CI tokens' },
      { to: '/admin/tenant', label: 'Plan & usage' },
      { to: '/admin/policies', label: 'Approval policy' },
      { to: '/audit', label: 'Audit log' },
    ],
  },
];

const PLATFORM_NAV = [{ heading: 'Platform', items: [{ to: '/platform/tenants', label: 'Tenants' }] }];

/** The signed-in frame: skip link, navigation by area, who you are, sign out. */
export function Layout() {
  const { session, signOut } = useSession();
  const api = useApi();
  const me = useQuery({
    queryKey: ['me'],
    enabled: session?.kind === 'user',
    queryFn: async () => unwrap(await api.GET('/me')),
  });
  const nav = session?.kind === 'platform-admin' ? PLATFORM_NAV : TENANT_NAV;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Steward home">
          <span aria-hidden="true" className="brand-mark">
            ◆
          </span>{' '}
          Steward
        </NavLink>
        <div className="whoami">
          <span>
            {session?.email}
            {me.data?.roles?.length ? (
              <span className="roles"> · {me.data.roles.join(', ')}</span>
            ) : session?.kind === 'platform-admin' ? (
              <span className="roles"> · platform administrator</span>
            ) : null}
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label="Main">
        {nav.map((group) => (
          <div key={group.heading} className="nav-group">
            <h2>{group.heading}</h2>
            <ul>
              {group.items.map((item: NavItem) => (
                <li key={item.to}>
                  <NavLink to={item.to}>
                    {item.label}
                    {item.soon ? <span className="soon"> soon</span> : null}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
