import { useEffect, useRef, useState } from 'react';
import { ProblemMessage } from '../components/problem-message';

/**
 * Shown over the page when the session expired mid-task: the page underneath keeps
 * its state, and the request that failed is retried once the person signs in again.
 */
export function ReauthDialog({ email, onSignIn, onSignOut }: { email: string; onSignIn: (password: string) => Promise<void>; onSignOut: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const node = dialog.current;
    if (node && !node.open) node.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="reauth-title" onCancel={(e) => e.preventDefault()}>
      <form
        method="dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            await onSignIn(password);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2 id="reauth-title">Your session expired</h2>
        <p>Sign in again as {email} to continue. Nothing you typed is lost: your last action is sent again afterwards.</p>
        <div className="field">
          <label htmlFor="reauth-password">Password</label>
          <input
            id="reauth-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoFocus
          />
        </div>
        {error ? <ProblemMessage error={error} /> : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in and continue'}
          </button>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </form>
    </dialog>
  );
}
