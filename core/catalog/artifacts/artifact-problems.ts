import type { z } from 'zod';
import { ValidationFailed, type InvalidField } from '../../errors';

/**
 * Shared by the artifact validators so every format reports problems the same
 * way: one `{ field, problem }` per problem, `field` a dotted path rooted at
 * `artifact` (the uploaded bytes) or `ioSchema` (the declared fields).
 */

export const ARTIFACT_FIELD = 'artifact';

export function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map((segment) => String(segment))].join('.');
}

/** Every zod issue as an InvalidField under `prefix`; union issues are opened so the deepest reasons show. */
export function zodProblems(error: z.ZodError, prefix: string): InvalidField[] {
  return collectIssues(error.issues, [], prefix);
}

function collectIssues(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[], prefix: string): InvalidField[] {
  const out: InvalidField[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the alternative the author meant, not every branch: the one whose
      // own keys fit (fewest problems at its top level), then the fewest problems.
      const shallow = (branch: readonly z.core.$ZodIssue[]) => branch.filter((i) => i.path.length <= 1).length;
      const best = [...issue.errors].sort((a, b) => shallow(a) - shallow(b) || a.length - b.length)[0];
      if (best.length > 0) {
        out.push(...collectIssues(best, path, prefix));
        continue;
      }
    }
    out.push({ field: joinPath(prefix, path), problem: issue.message });
  }
  return out;
}

/** Parses UTF-8 JSON bytes, or throws ValidationFailed naming `artifact` with the parser's reason. */
export function parseJsonArtifact(bytes: Uint8Array, what: string): unknown {
  if (bytes.length === 0) throw new ValidationFailed(`${what} is empty`, [{ field: ARTIFACT_FIELD, problem: 'empty: no bytes were uploaded' }]);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new ValidationFailed(`${what} is not UTF-8 text`, [{ field: ARTIFACT_FIELD, problem: 'not JSON: the bytes are not UTF-8 text' }], { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationFailed(`${what} is not JSON`, [{ field: ARTIFACT_FIELD, problem: `not JSON: ${(error as Error).message}` }], { cause: error });
  }
}

export function failIfAny(problems: readonly InvalidField[], message: string): void {
  if (problems.length > 0) throw new ValidationFailed(`${message} (${problems.length} problem${problems.length === 1 ? '' : 's'})`, problems);
}
