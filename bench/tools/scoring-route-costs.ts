/**
 * API CPU per request of single-row scoring against the authenticated no-op,
 * from the API process's own CPU time (/proc), so a busy machine slows the
 * runs but hardly moves the figures: the platform started in its own process
 * as the bench starts it, the `scoring-api` scenario's model (a 20-feature
 * ONNX logistic regression) deployed through the API and the deploy pipeline,
 * then rounds of a fixed number of requests over HTTP (autocannon, 8
 * connections), alternating `GET /me` (CI token) and
 * `POST /endpoints/{name}/invocations` (one JSON row, CI token of role
 * deployer). Everything the API process does is counted: Node's HTTP server,
 * the response write, the tenant guard, the route, the gateway, onnxruntime,
 * counters and the 10 % capture.
 *
 *   npx tsx bench/tools/scoring-route-costs.ts [--requests 20000] [--rounds 5]
 *
 * Prints the median of each route's rounds in µs of API CPU (user + system)
 * per request, their ratio, and what scoring costs above the no-op. Linux only.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { acquireTarget } from '../target';
import { onboardTenant } from '../support/api';
import { deployScoringEndpoint, scoringRow } from '../support/scoring-endpoint';

const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' } } });
  const requests = Number(values.requests);
  const rounds = Number(values.rounds);
  const report = (line: string) => process.stdout.write(`${line}\n`);
  const acquired = await acquireTarget(new Set(['api', 'scoring']), {}, { keepData: false, report, platformProcess: 'separate', bareDynamodb: 'platform', auditSealer: true, auditChain: 'at-commit' });
  try {
    const { target } = acquired;
    const pid = target.processes.api;
    if (!pid) throw new Error('the API process is not known');
    const tenant = await onboardTenant(target, 'Scoring Costs', { report });
    const { endpointName, token } = await deployScoringEndpoint(target, tenant, report);
    const routes: Record<string, autocannon.Options> = {
      'GET /me': { url: `${target.apiUrl}/me`, headers: { authorization: `Bearer ${tenant.ciToken}` } },
      'POST /endpoints/{name}/invocations': {
        url: `${target.apiUrl}/endpoints/${endpointName}/invocations`,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify([scoringRow()]),
      },
    };
    const samples = new Map<string, number[]>(Object.keys(routes).map((name) => [name, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const [name, options] of Object.entries(routes)) {
        const before = cpuTicks(pid);
        const result = await autocannon({ ...options, connections: 8, amount: requests, timeout: 10 });
        const ticks = cpuTicks(pid) - before;
        if (result.non2xx || result.errors) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        // Round 0 warms the JIT, the model and the caches up; it is not counted.
        if (round > 0) samples.get(name)!.push((ticks / TICKS_PER_SECOND / requests) * 1e6);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const noop = median(samples.get('GET /me')!);
    report(`API CPU per request (µs, median of ${rounds} rounds of ${requests}, 8 connections):`);
    for (const [name, xs] of samples) {
      const m = median(xs);
      report(`  ${name.padEnd(36)} ${m.toFixed(1).padStart(7)}   × GET /me ${(m / noop).toFixed(2)}   above it ${(m - noop).toFixed(1).padStart(6)}   rounds ${xs.map((x) => x.toFixed(0)).join(' ')}`);
    }
  } finally {
    await acquired.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
