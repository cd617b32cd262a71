import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { unwrap } from '../api/problem';
import { ProblemMessage } from '../components/problem-message';
import { useApi } from '../session/session';
import { AuthFrame } from './sign-in';

/** Invitation links carry the secret in the fragment (#token=…): it never reaches a server log. */
function invitationFromLink(): string {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  return fragment.get('token') ?? '';
}

export function AcceptInvitationPage() {
  const api = useApi();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [invitation, setInvitation] = useState(() => invitationFromLink() || params.get('token') || '');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const mismatch = confirm !== '' && confirm !== password;
  return (
    <AuthFrame title="Set your password">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (mismatch) return;
          setBusy(true);
          setError(undefined);
          try {
            const res = unwrap(await api.POST('/auth/accept-invitation', { body: { invitation: invitation.trim(), password } }));
            void navigate('/sign-in', { state: { email: res.email, notice: `Your account ${res.email} is active. Sign in with your new password.` } });
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor="invitation">Invitation code</label>
          <input
            id="invitation"
            value={invitation}
            onChange={(e) => setInvitation(e.target.value)}
            required
            minLength={10}
            autoComplete="off"
            aria-describedby="invitation-hint"
          />
          <small id="invitation-hint" className="hint">
            Filled in when you open the invitation link; otherwise paste the code you were given.
          </small>
        </div>
        <div className="field">
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            aria-describedby="new-password-hint"
          />
          <small id="new-password-hint" className="hint">
            At least 12 characters.
          </small>
        </div>
        <div className="field">
          <label htmlFor="confirm-password">Repeat the password</label>
          <input
            id="confirm-password"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            required
            aria-invalid={mismatch}
            aria-describedby="confirm-hint"
          />
          <small id="confirm-hint" className={mismatch ? 'hint error-text' : 'hint'}>
            {mismatch ? 'The two passwords differ.' : 'Type it again to be sure.'}
          </small>
        </div>
        <ProblemMessage error={error} title="Could not redeem the invitation" />
        <button type="submit" className="primary wide" disabled={busy || mismatch}>
          {busy ? 'Activating…' : 'Activate my account'}
        </button>
      </form>
      <p className="aside">
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </AuthFrame>
  );
}

/** The link an invitee opens: the console's redemption page with the secret in the fragment. */
export function invitationLink(token: string): string {
  return `${window.location.origin}/accept-invitation#token=${encodeURIComponent(token)}`;
}
