import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ProblemMessage } from '../components/problem-message';
import { useSession } from '../session/session';

export function SignInPage() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState((location.state as { email?: string } | null)?.email ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const notice = (location.state as { notice?: string } | null)?.notice;
  return (
    <AuthFrame title="Sign in to Steward">
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const session = await signIn(email, password);
            void navigate(session.kind === 'platform-admin' ? '/platform/tenants' : '/models', { replace: true });
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        <ProblemMessage error={error} title="Could not sign in" />
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="aside">
        New business unit? <Link to="/sign-up">Request a tenant</Link>. Invited? <Link to="/accept-invitation">Redeem your invitation</Link>.
      </p>
    </AuthFrame>
  );
}

export function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main id="main" className="auth">
      <div className="auth-card">
        <p className="brand">
          <span aria-hidden="true" className="brand-mark">
            ◆
          </span>{' '}
          Steward
        </p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
