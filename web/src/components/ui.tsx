import { type ReactNode, useId, useState } from 'react';
import { Link } from 'react-router';

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </div>
  );
}

/** An empty list says why it is empty and what to do next. */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: { to: string; label: string } }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children ? <p>{children}</p> : null}
      {action ? (
        <Link className="button primary" to={action.to}>
          {action.label}
        </Link>
      ) : null}
    </div>
  );
}

const STATUS_TONE: Record<string, string> = {
  approved: 'good',
  active: 'good',
  deployed: 'good',
  SUCCEEDED: 'good',
  succeeded: 'good',
  verified: 'good',
  'pending-approval': 'warn',
  requested: 'warn',
  invited: 'warn',
  RUNNING: 'info',
  running: 'info',
  training: 'info',
  evaluating: 'info',
  rejected: 'bad',
  failed: 'bad',
  FAILED: 'bad',
  suspended: 'bad',
  disabled: 'bad',
  ABORTED: 'bad',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${STATUS_TONE[status] ?? 'neutral'}`}>{status}</span>;
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {hint ? (
        <small id={hintId} className="hint">
          {hint}
        </small>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** Copies a secret to the clipboard and says so (for screen readers too). */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <span className="copy">
      <button
        type="button"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setCopied('copied');
          } catch {
            setCopied('failed');
          }
        }}
      >
        {label}
      </button>
      <span role="status" className="hint">
        {copied === 'copied' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copy failed: select the text and copy it by hand.' : ''}
      </span>
    </span>
  );
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function Definition({ items }: { items: readonly [string, ReactNode][] }) {
  return (
    <dl className="definitions">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}
