/**
 * Two CPU profiles of the API process (`npm run bench -- <scenario> --profile
 * <dir>`, e.g. before and after a change) as CPU per request, place by place:
 *
 *   npx tsx bench/tools/profile-compare.ts <before.cpuprofile> <requests> <after.cpuprofile> <requests> [--yardstick <pkg,pkg>] [--top 40]
 *
 * `<requests>` is the run's request count in the measured window (req/s ×
 * seconds, from the bench output). On a shared machine every figure of a run
 * swells with the load of the moment, so the after-run is also shown scaled by
 * a yardstick: code the change did not touch (by default the AWS SDK), whose
 * CPU per call is the same work in both runs. Places are packages, Node's
 * modules, and this repository's files.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { categoryOf } from './profile-summary';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

const REPO_FOLDERS = /\/(api|core|infra|bench|functions|serving|state-machines)\/(.*)$/;

/** Busy CPU in µs per request, by place (a repository file, else profile-summary's category). */
export function microsPerRequest(profile: Profile, requests: number): Map<string, number> {
  const place = new Map<number, string>();
  for (const { id, callFrame } of profile.nodes) {
    const file = callFrame.url.includes('node_modules/') ? null : REPO_FOLDERS.exec(callFrame.url.replace(/^file:\/\//, ''));
    place.set(id, file ? `${file[1]}/${file[2]}` : categoryOf(callFrame.url, callFrame.functionName));
  }
  const out = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const where = place.get(samples[i]) ?? '(unknown)';
    if (where === '(idle)') continue;
    out.set(where, (out.get(where) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / requests);
  }
  return out;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { yardstick: { type: 'string', default: '@smithy/core,@smithy/signature-v4,@aws-sdk/core' }, top: { type: 'string', default: '40' } },
  });
  if (positionals.length !== 4) {
    process.stderr.write(
      'usage: npx tsx bench/tools/profile-compare.ts <before.cpuprofile> <requests> <after.cpuprofile> <requests> [--yardstick <pkg,pkg>] [--top 40]\n',
    );
    process.exit(2);
  }
  const load = (file: string, requests: string) => microsPerRequest(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(requests));
  const before = load(positionals[0], positionals[1]);
  const after = load(positionals[2], positionals[3]);
  const yardstick = values.yardstick.split(',');
  const sum = (m: Map<string, number>, keys?: string[]) => [...m.entries()].filter(([k]) => !keys || keys.includes(k)).reduce((s, [, v]) => s + v, 0);
  const scale = sum(before, yardstick) / sum(after, yardstick);
  const row = (a: number | string, b: number | string, c: number | string, d: number | string, name: string) =>
    `  ${[a, b, c, d].map((v) => (typeof v === 'number' ? v.toFixed(1) : v).padStart(9)).join('')}  ${name}\n`;
  process.stdout.write(
    `\nCPU per request (µs); yardstick ${yardstick.join(' + ')}: ${sum(before, yardstick).toFixed(1)} before, ${sum(after, yardstick).toFixed(1)} after, so after × ${scale.toFixed(3)}\n\n`,
  );
  process.stdout.write(row('before', 'after', 'scaled', 'change', 'place'));
  process.stdout.write(row(sum(before), sum(after), sum(after) * scale, sum(after) * scale - sum(before), '(total)'));
  const places = [...new Set([...before.keys(), ...after.keys()])]
    .map((k) => ({ k, a: before.get(k) ?? 0, b: after.get(k) ?? 0 }))
    .sort((x, y) => Math.abs(y.b * scale - y.a) - Math.abs(x.b * scale - x.a))
    .slice(0, Number(values.top));
  for (const { k, a, b } of places) process.stdout.write(row(a, b, b * scale, b * scale - a, k));
}

if (require.main === module) main();
