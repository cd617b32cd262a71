import { useState } from 'react';
import { Link } from 'react-router';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { useApi } from '../session/session';
import { AuthFrame } from './sign-in';

const PLANS = [
  { value: 'free', label: 'Free — try it out' },
  { value: 'standard', label: 'Standard — production teams' },
  { value: 'enterprise', label: 'Enterprise — highest quotas' },
] as const;

export function SignUpPage() {
  const api = useApi();
  const [name, setName] = useState('');
  const [adminEmail, setAdminEmail] = useState('');
  const [plan, setPlan] = useState<(typeof PLANS)[number]['value']>('standard');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (done) {
    return (
      <AuthFrame title="Request received">
        <p role="status">
          Your tenant <strong>{name}</strong> (<code>{done}</code>) is waiting for a platform administrator. Once approved, {adminEmail} receives an invitation
          to set a password.
        </p>
        <Link to="/sign-in">Back to sign in</Link>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title="Request a tenant for your business unit">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const res = unwrap(await api.POST('/signup', { body: { name, adminEmail, plan } }));
            setDone(res.tenantId);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor="tenant-name">Business unit name</label>
          <input id="tenant-name" value={name} onChange={(e) => setName(e.target.value)} minLength={2} maxLength={100} required />
        </div>
        <div className="field">
          <label htmlFor="admin-email">Administrator email</label>
          <input
            id="admin-email"
            type="email"
            value={adminEmail}
            onChange={(e) => setAdminEmail(e.target.value)}
            required
            aria-describedby="admin-email-hint"
          />
          <small id="admin-email-hint" className="hint">
            This person becomes the tenant administrator and invites everyone else.
          </small>
        </div>
        <fieldset className="field">
          <legend>Plan</legend>
          {PLANS.map((p) => (
            <label key={p.value} className="radio">
              <input type="radio" name="plan" value={p.value} checked={plan === p.value} onChange={() => setPlan(p.value)} /> {p.label}
            </label>
          ))}
        </fieldset>
        <ProblemMessage error={error} title="Could not send the request" />
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Sending…' : 'Request tenant'}
        </button>
      </form>
      <p className="aside">
        Already have an account? <Link to="/sign-in">Sign in</Link>.
      </p>
    </AuthFrame>
  );
}
