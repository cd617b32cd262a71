import { HTTPException } from 'hono/http-exception';
import { problemFromError } from '../../../api/http/problem';
import { Conflict, IllegalTransition, NotFound, QuotaExceeded, RateLimited, ValidationFailed } from '../../../core/errors';

describe('problem details', () => {
  it('maps domain errors to statuses and keeps their message', () => {
    expect(problemFromError(new NotFound('model', 'm1'), 'r').problem).toMatchObject({ status: 404, detail: "model 'm1' was not found", requestId: 'r' });
    expect(problemFromError(new Conflict('dup'), 'r').problem.status).toBe(409);
    expect(problemFromError(new IllegalTransition('a', 'b', ['c']), 'r').problem).toMatchObject({
      status: 409,
      type: 'urn:steward:problem:illegal-transition',
    });
    expect(problemFromError(new QuotaExceeded('models', 10), 'r').problem.status).toBe(429);
    expect(problemFromError(new RateLimited(3), 'r').headers['retry-after']).toBe('3');
    expect(problemFromError(new ValidationFailed('bad', [{ field: 'body.x', problem: 'Required' }]), 'r').problem.invalidFields).toEqual([
      { field: 'body.x', problem: 'Required' },
    ]);
  });

  it('never leaks an unexpected error to the client', () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.1:5432 password=hunter2');
    const { problem } = problemFromError(secret, 'req-1');
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('hunter2');
    expect(JSON.stringify(problem)).not.toContain('ECONNREFUSED');
    expect(problem.detail).toContain('req-1');
  });

  it('turns hono’s malformed-JSON exception into a 400 naming the body', () => {
    const { problem } = problemFromError(new HTTPException(400, { message: 'Malformed JSON in request body' }), 'r');
    expect(problem).toMatchObject({ status: 400, invalidFields: [{ field: 'body', problem: 'malformed JSON' }] });
  });
});
