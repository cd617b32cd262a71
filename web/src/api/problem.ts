import type { components } from './schema';

export type Problem = components['schemas']['Problem'];

/** An API answer that is not a success, carrying the RFC 9457 problem the API sent. */
export class ApiProblem extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiProblem';
    this.problem = problem;
  }
}

/** What the person can do about a problem: the API's detail plus the next step for its status. */
export function adviceFor(problem: Problem): string {
  switch (problem.status) {
    case 400:
    case 422:
      return 'Correct the highlighted fields and try again.';
    case 401:
      return 'Sign in again to continue.';
    case 403:
      return 'Your roles do not allow this. Ask a tenant administrator for the role you need.';
    case 404:
      return 'It may have been deleted, or the link is wrong. Go back to the list and pick it again.';
    case 409:
      return 'Someone changed it meanwhile. Reload to see the latest state, then try again.';
    case 429:
      return 'Too many requests for your plan right now. Wait a few seconds and try again.';
    default:
      return problem.status >= 500 ? `The platform failed. Try again; if it persists, give support the request id ${problem.requestId}.` : '';
  }
}

/** Turns an openapi-fetch `{ data, error, response }` into the data, or throws an ApiProblem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw new ApiProblem(asProblem(result.error, result.response));
  return result.data as T;
}

export function asProblem(body: unknown, response: Response): Problem {
  if (body && typeof body === 'object' && 'status' in body && 'title' in body) return body as Problem;
  return {
    type: 'about:blank',
    title: response.statusText || 'Request failed',
    status: response.status,
    requestId: response.headers.get('x-request-id') ?? 'unknown',
  };
}
