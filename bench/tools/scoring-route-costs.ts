/**
 * API CPU per request of single-row scoring against the authenticated no-op,
 * from the API process's own CPU time (/proc), so a busy machine slows the
 * runs but hardly moves the figures: the platform started in its own process
 * as the bench starts it, the `scoring-api` scenario's model (a 20-feature
 * ONNX logistic regression) deployed through the API and the deploy pipeline,
 * then rounds of a fixed number of requests over HTTP (autocannon, 8
 * connections), alternating `GET /me` (CI token) and
 * `POST /endpoints/{name}/invocations` (one JSON row, CI token of role
 * deployer), each rotating over three tenants (one admits 5,000 req/s).
 * Everything the API process does is counted: Node's HTTP server,
 * the response write, the tenant guard, the route, the gateway, onnxruntime,
 * counters and the 10 % capture.
 *
 *   npx tsx bench/tools/scoring-route-costs.ts [--requests 20000] [--rounds 5] [--base <checkout>]
 *
 * Prints the median of each route's rounds in µs of API CPU (user + system)
 * per request, their ratio, and what scoring costs above the no-op. Linux only.
 *
 * `--base <checkout>`: another copy of the repository (e.g. `git archive
 * <commit> | tar -x -C <dir>`, node_modules linked) whose platform is started
 * beside this one; every round then measures both, one after the other, so
 * that the two codes are compared under the same load, and the per-round
 * differences are printed too.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { acquireTarget } from '../target';
import { onboardTenant } from '../support/api';
import { deployScoringEndpoint, scoringRow } from '../support/scoring-endpoint';

const TICKS_PER_SECOND = 100;
/** Tenants each route's requests rotate over: 15,000 req/s admitted, so the rate limiter never answers 429. */
const TENANTS = 3;

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

interface Side {
  readonly name: string;
  readonly pid: number;
  readonly routes: Record<string, autocannon.Options>;
  stop(): Promise<void>;
}

async function startSide(name: string, acquire: typeof acquireTarget, report: (line: string) => void): Promise<Side> {
  const acquired = await acquire(
    new Set(['api', 'scoring']),
    {},
    { keepData: false, report, platformProcess: 'separate', bareDynamodb: 'platform', auditSealer: true, auditChain: 'at-commit' },
  );
  try {
    const { target } = acquired;
    const api = target.processes.api;
    // One API process: this tool reads that process's own CPU time (no --workers here).
    const pid = typeof api === 'number' ? api : undefined;
    if (!pid) throw new Error('the API process is not known (or is several workers)');
    // One enterprise tenant admits 5,000 req/s (burst 10,000); on a quiet machine both routes go faster, so each
    // connection rotates over several tenants (the same model deployed in each), as the bench's scenarios do.
    const tenants = [];
    for (let i = 0; i < TENANTS; i++) {
      const tenant = await onboardTenant(target, `Scoring Costs ${i + 1}`, { report });
      tenants.push({ tenant, ...(await deployScoringEndpoint(target, tenant, report)) });
    }
    const body = JSON.stringify([scoringRow()]);
    const apiUrl = target.apiUrl ?? '';
    const routes: Record<string, autocannon.Options> = {
      'GET /me': { url: apiUrl, requests: tenants.map(({ tenant }) => ({ path: '/me', headers: { authorization: `Bearer ${tenant.ciToken}` } })) },
      'POST /endpoints/{name}/invocations': {
        url: apiUrl,
        requests: tenants.map(({ endpointName, token }) => ({
          method: 'POST' as const,
          path: `/endpoints/${endpointName}/invocations`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        })),
      },
    };
    return { name, pid, routes, stop: () => acquired.stop() };
  } catch (error) {
    await acquired.stop();
    throw error;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' }, base: { type: 'string' } },
  });
  const requests = Number(values.requests);
  const rounds = Number(values.rounds);
  const report = (line: string) => process.stdout.write(`${line}\n`);
  const sides: Side[] = [];
  try {
    if (values.base) {
      const baseTarget = (await import(pathToFileURL(join(resolve(values.base), 'bench', 'target.ts')).href)) as { acquireTarget: typeof acquireTarget };
      sides.push(await startSide('base', baseTarget.acquireTarget, report));
    }
    sides.push(await startSide('this', acquireTarget, report));
    const samples = new Map<string, number[]>();
    for (let round = 0; round <= rounds; round++) {
      // Each round swaps which side goes first, so neither always runs after the other's load.
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        for (const [route, options] of Object.entries(side.routes)) {
          const before = cpuTicks(side.pid);
          const result = await autocannon({ ...options, connections: 8, amount: requests, timeout: 10 });
          const ticks = cpuTicks(side.pid) - before;
          if (result.non2xx || result.errors) throw new Error(`${side.name} ${route}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
          // Round 0 warms the JIT, the model and the caches up; it is not counted.
          const key = `${side.name} ${route}`;
          if (round > 0) samples.set(key, [...(samples.get(key) ?? []), (ticks / TICKS_PER_SECOND / requests) * 1e6]);
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    report(`API CPU per request (µs, median of ${rounds} rounds of ${requests}, 8 connections):`);
    for (const side of sides) {
      const noop = samples.get(`${side.name} GET /me`)!;
      for (const route of Object.keys(side.routes)) {
        const xs = samples.get(`${side.name} ${route}`)!;
        const m = median(xs);
        const ratios = xs.map((x, i) => x / noop[i]);
        report(
          `  ${side.name.padEnd(5)} ${route.padEnd(36)} ${m.toFixed(1).padStart(7)}   × GET /me ${(m / median(noop)).toFixed(2)} (median of rounds ${median(ratios).toFixed(2)})   rounds ${xs.map((x) => x.toFixed(0)).join(' ')}`,
        );
      }
    }
    if (sides.length === 2) {
      for (const route of Object.keys(sides[1].routes)) {
        const base = samples.get(`base ${route}`)!;
        const diffs = samples.get(`this ${route}`)!.map((x, i) => x - base[i]);
        report(`  this − base, ${route}: median ${median(diffs).toFixed(1)} µs   rounds ${diffs.map((x) => x.toFixed(0)).join(' ')}`);
      }
    }
  } finally {
    for (const side of sides) await side.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
