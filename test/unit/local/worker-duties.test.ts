import { availableParallelism } from 'node:os';
import { workerDuties } from '../../../infra/local/cluster/worker-messages';
import { workerCount } from '../../../infra/local/start';
import { StartupProblem } from '../../../infra/local/stand-ins/errors';

describe('what each worker of npm start --workers n runs', () => {
  it('runs the scheduler and the staging sweep in the leader only, so a schedule fires once, not once per worker', () => {
    expect(workerDuties('leader', 3, 6)).toMatchObject({ scheduler: true, stagingSweep: true });
    expect(workerDuties('follower', 3, 6)).toMatchObject({ scheduler: false, stagingSweep: false });
  });

  it('sizes batch partition threads so that workers × threads ≈ cores', () => {
    expect(workerDuties('leader', 2, 2).batchThreads).toBe(1);
    expect(workerDuties('follower', 2, 8).batchThreads).toBe(4);
    expect(workerDuties('follower', 4, 2).batchThreads).toBe(1);
  });

  it('reads --workers / STEWARD_WORKERS: default 1, auto = one per core, anything else refused', () => {
    expect(workerCount(undefined)).toBe(1);
    expect(workerCount('')).toBe(1);
    expect(workerCount('3')).toBe(3);
    expect(workerCount('auto')).toBe(availableParallelism());
    for (const bad of ['0', '-1', '1.5', 'two', '65']) expect(() => workerCount(bad, '--workers')).toThrow(StartupProblem);
  });
});
