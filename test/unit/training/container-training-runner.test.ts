import { runTrainingJob } from '../../../core/training/container-training-runner';
import { parseProcStat } from '../../../core/training/process-usage';

/** A trainer in Node (always present where the tests run), so the contract is tested without Python. */
const node = (script: string) => [process.execPath, '-e', script];

const CONTRACT_TRAINER = `
const fs = require('node:fs');
const path = require('node:path');
const env = process.env;
const hp = JSON.parse(fs.readFileSync(path.join(env.SM_INPUT_CONFIG_DIR, 'hyperparameters.json'), 'utf8'));
const data = fs.readFileSync(path.join(env.SM_CHANNEL_TRAIN, 'data.csv'), 'utf8');
const validation = fs.readdirSync(env.SM_CHANNEL_VALIDATION);
console.log('rows', data.trim().split('\\n').length - 1, 'hp', JSON.stringify(hp));
console.error('a warning on stderr');
// About 400 ms of CPU, then 160 MiB touched and held.
const until = process.cpuUsage().user + 400000;
let x = 0;
while (process.cpuUsage().user < until) for (let i = 0; i < 1e6; i++) x += Math.sqrt(i);
const big = Buffer.alloc(160 * 1024 * 1024, 1);
// Held 1.5 s: the runner samples memory (every 50 ms by default) and a loaded machine can delay a sample past a shorter hold.
const end = Date.now() + 1500;
while (Date.now() < end) {}
fs.writeFileSync(path.join(env.SM_MODEL_DIR, 'model.onnx'), Buffer.from([1, 2, 3, big[5]]));
fs.writeFileSync(path.join(env.SM_MODEL_DIR, 'metrics.json'), JSON.stringify({ train_auc: 0.93, rows: 2 }));
console.log(JSON.stringify({
  channels: env.SM_CHANNELS, hps: env.SM_HPS, hpC: env.SM_HP_C, validation,
  secret: env.STEWARD_TEST_SECRET ?? null, custom: env.CUSTOM ?? null, home: env.HOME === path.dirname(env.SM_MODEL_DIR),
}));
`;

describe('runTrainingJob (the SageMaker training contract, locally)', () => {
  const secret = 'AKIA-should-not-leak';
  beforeAll(() => {
    process.env.STEWARD_TEST_SECRET = secret;
  });
  afterAll(() => {
    delete process.env.STEWARD_TEST_SECRET;
  });

  it('gives the command the contract (channels, hyperparameters.json, SM_* variables), returns its model, metrics, log and usage', async () => {
    const result = await runTrainingJob({
      command: node(CONTRACT_TRAINER),
      channels: { train: { 'data.csv': 'a,y\n1,0\n2,1\n' }, validation: { 'v.csv': new Uint8Array([97, 10]) } },
      hyperparameters: { C: 0.5, target: 'y', verbose: true },
      env: { CUSTOM: 'yes' },
      timeoutMs: 30_000,
    });
    expect(result.status).toBe('completed');
    expect(result.exitCode).toBe(0);
    expect(Array.from(result.model!)).toEqual([1, 2, 3, 1]);
    expect(result.metrics).toEqual({ train_auc: 0.93, rows: 2 });
    expect(result.hyperparameters).toEqual({ C: '0.5', target: 'y', verbose: 'true' });
    expect(result.log).toContain('rows 2 hp {"C":"0.5","target":"y","verbose":"true"}');
    expect(result.log).toContain('a warning on stderr');
    const seen = JSON.parse(result.log.trim().split('\n').at(-1)!);
    expect(seen).toEqual({
      channels: '["train","validation"]',
      hps: '{"C":"0.5","target":"y","verbose":"true"}',
      hpC: '0.5',
      validation: ['v.csv'],
      secret: null, // the platform's environment is not passed on
      custom: 'yes',
      home: true,
    });
    expect(result.usage.durationMs).toBeGreaterThanOrEqual(600);
    if (process.platform === 'linux') {
      expect(result.usage.cpuUserMs! + result.usage.cpuSystemMs!).toBeGreaterThanOrEqual(350);
      expect(result.usage.peakMemoryBytes!).toBeGreaterThanOrEqual(160 * 1024 * 1024);
    }
  });

  it('stops the whole process tree at the time limit and says so', async () => {
    const started = Date.now();
    const result = await runTrainingJob({
      command: node(
        `console.log('started'); require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' }); setInterval(() => {}, 1000);`,
      ),
      channels: {},
      timeoutMs: 700,
      killGraceMs: 200,
    });
    expect(result.status).toBe('timed-out');
    expect(result.failureReason).toBe('stopped after the time limit of 700 ms');
    expect(result.log).toContain('started');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.model).toBeUndefined();
  });

  it('reports a failing trainer with the reason it wrote to the failure file, and keeps its log', async () => {
    const result = await runTrainingJob({
      command: node(
        `const fs = require('node:fs'); console.error('Traceback: boom'); fs.writeFileSync(process.env.SM_OUTPUT_DIR + '/failure', 'ValueError: no target column'); process.exit(3);`,
      ),
      channels: {},
      timeoutMs: 30_000,
    });
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, failureReason: 'ValueError: no target column' });
    expect(result.log).toContain('Traceback: boom');
  });

  it('fails a trainer that exits 0 without a model, and ignores a malformed metrics.json with a reason', async () => {
    const result = await runTrainingJob({
      command: node(`require('node:fs').writeFileSync(process.env.SM_MODEL_DIR + '/metrics.json', '{"auc": "high"}')`),
      channels: {},
      timeoutMs: 30_000,
    });
    expect(result.status).toBe('failed');
    expect(result.failureReason).toBe('the trainer exited 0 but wrote no model.onnx to SM_MODEL_DIR');
    expect(result.metrics).toBeUndefined();
    expect(result.metricsProblem).toMatch(/^metrics.json is not a flat object of finite numbers: auc/);
  });

  it('reports a command that cannot be started', async () => {
    const result = await runTrainingJob({ command: ['steward-no-such-trainer'], channels: {}, timeoutMs: 30_000 });
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(127);
    expect(result.log).toMatch(/not found/);
  });

  it('keeps the tail of a log longer than the limit', async () => {
    const result = await runTrainingJob({
      command: node(`for (let i = 0; i < 5000; i++) console.log('line ' + i);`),
      channels: {},
      timeoutMs: 30_000,
      maxLogBytes: 4096,
    });
    expect(result.log).toMatch(/^\[steward: the first \d+ bytes of the log were dropped/);
    expect(result.log).toContain('line 4999');
    expect(Buffer.byteLength(result.log)).toBeLessThan(4096 + 200);
  });

  it.each([
    [{ channels: { '../etc': {} } }, 'channels.../etc'],
    [{ channels: { train: { '../x': 'a' } } }, 'channels.train.../x'],
    [{ command: [] }, 'command'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
  ])('refuses a malformed job %j naming the field', async (bad, field) => {
    const job = { command: ['true'], channels: {}, timeoutMs: 1000, ...bad };
    await expect(runTrainingJob(job as Parameters<typeof runTrainingJob>[0])).rejects.toMatchObject({ fields: [expect.objectContaining({ field })] });
  });
});

describe('parseProcStat', () => {
  it('reads utime, stime, cutime and cstime after a command name with spaces and parentheses', () => {
    const line = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 250 40 20 0 1 0 12345 1000000 200 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ userMs: 70, systemMs: 30, childrenUserMs: 2500, childrenSystemMs: 400 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});
