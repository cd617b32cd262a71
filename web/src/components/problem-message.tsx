import { ApiProblem, adviceFor } from '../api/problem';

/** An error shown where it happened: what went wrong, and what to do about it. */
export function ProblemMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  if (error instanceof ApiProblem) {
    const { problem } = error;
    return (
      <div className="problem" role="alert">
        <strong>{title ?? problem.title}</strong>
        {problem.detail ? <p>{problem.detail}</p> : null}
        {problem.invalidFields?.length ? (
          <ul>
            {problem.invalidFields.map((f) => (
              <li key={f.field}>
                <code>{f.field}</code>: {f.problem}
              </li>
            ))}
          </ul>
        ) : null}
        <p className="hint">{adviceFor(problem)}</p>
      </div>
    );
  }
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : (JSON.stringify(error) ?? 'unknown error');
  return (
    <div className="problem" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <p>{message}</p>
      <p className="hint">Check your connection and try again.</p>
    </div>
  );
}
