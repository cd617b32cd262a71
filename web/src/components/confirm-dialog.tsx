import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { ProblemMessage } from './problem-message';

/**
 * A modal that asks before something hard to undo (rollback, undeploy): Escape or
 * Cancel closes it, focus returns to the button that opened it, an optional reason
 * is typed in place, and a failure is shown inside the dialog.
 */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  reasonLabel?: string;
  busy: boolean;
  error: unknown;
  onConfirm: (reason: string) => void;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const [reason, setReason] = useState('');
  const id = useId();
  useEffect(() => {
    opener.current = document.activeElement;
    const node = dialog.current;
    if (node && !node.open) node.showModal();
    return () => {
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
  }, []);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={`${id}-title`} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onConfirm(reason.trim());
        }}
      >
        <h2 id={`${id}-title`}>{props.title}</h2>
        {props.children}
        {props.reasonLabel ? (
          <div className="field">
            <label htmlFor={`${id}-reason`}>{props.reasonLabel}</label>
            <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} autoFocus />
          </div>
        ) : null}
        <ProblemMessage error={props.error} />
        <div className="actions">
          <button type="submit" className="danger" disabled={props.busy} autoFocus={!props.reasonLabel}>
            {props.busy ? 'Working…' : props.confirmLabel}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
