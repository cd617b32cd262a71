/**
 * Where the API's CPU time went: summarizes a V8 CPU profile written by
 * `npm run bench -- <scenario> --profile <dir>` (one `.cpuprofile` per API
 * scenario, of the process serving the API).
 *
 *   npx tsx bench/tools/profile-summary.ts <file.cpuprofile> [--top 25]
 *
 * Prints self time grouped by where the code lives (a package under
 * node_modules, Node's own internals, this repository's folders, GC, idle),
 * then the functions with the most self time. Open the file in Chrome
 * DevTools (Performance → Load profile) for the flame chart.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export function categoryOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: native, not attributed)';
    return `(native) ${functionName || 'anonymous'}`;
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) {
    const name = url.slice(5).replace(/^internal\//, '');
    return `node:${name.split('/')[0]}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const repo = path.indexOf(`${process.cwd()}/`);
  const match = /\/(api|core|infra|bench|functions|serving|state-machines)\/(.*)$/.exec(path);
  if (match) return `${match[1]}/${match[2].split('/')[0]}`;
  return repo >= 0 ? path.slice(repo + process.cwd().length + 1) : path;
}

export function summarize(profile: Profile): {
  totalMs: number;
  byCategory: [string, number][];
  byFunction: [string, number][];
  inclusive: [string, number][];
} {
  const selfMs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    for (let i = 0; i < profile.samples.length; i++) {
      const id = profile.samples[i];
      selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000);
    }
  } else {
    const interval =
      (profile.endTime - profile.startTime) /
      1000 /
      Math.max(
        1,
        profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0),
      );
    for (const n of profile.nodes) selfMs.set(n.id, (n.hitCount ?? 0) * interval);
  }
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (!ms) continue;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const category = categoryOf(url, functionName);
    byCategory.set(category, (byCategory.get(category) ?? 0) + ms);
    const where = url
      ? `${url
          .replace(/^file:\/\//, '')
          .replace(/^.*node_modules\//, '')
          .replace(`${process.cwd()}/`, '')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  // Inclusive: a node's self time counts once for every distinct category on its stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)!.callFrame;
      // The platform host's SDK call counter wraps Client.send: its frame would carry every SDK call's time.
      if (frame.functionName === '(root)' || frame.url.endsWith('bench/platform-host.ts')) continue;
      seen.add(categoryOf(frame.url, frame.functionName));
    }
    for (const category of seen) inclusive.set(category, (inclusive.get(category) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { totalMs, byCategory: sorted(byCategory), byFunction: sorted(byFunction), inclusive: sorted(inclusive) };
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  if (!positionals.length) {
    process.stderr.write('usage: npx tsx bench/tools/profile-summary.ts <file.cpuprofile> [--top 25]\n');
    process.exit(2);
  }
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const { totalMs, byCategory, byFunction, inclusive } = summarize(profile);
    const idle = byCategory.find(([c]) => c === '(idle)')?.[1] ?? 0;
    const busy = totalMs - idle;
    const pct = (ms: number, of: number) => `${((ms / of) * 100).toFixed(1).padStart(5)} %`;
    process.stdout.write(
      `\n${file}\n  ${(totalMs / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s busy (${pct(busy, totalMs).trim()}); shares below are of busy time\n\n  self time by where the code lives:\n`,
    );
    for (const [category, ms] of byCategory.filter(([c]) => c !== '(idle)').slice(0, 30)) {
      process.stdout.write(`  ${pct(ms, busy)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${category}\n`);
    }
    process.stdout.write(`\n  inclusive time (the code and everything it called):\n`);
    for (const [category, ms] of inclusive.filter(([c]) => c !== '(idle)' && !c.startsWith('(')).slice(0, 30)) {
      process.stdout.write(`  ${pct(ms, busy)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${category}\n`);
    }
    process.stdout.write(`\n  top functions by self time:\n`);
    for (const [name, ms] of byFunction.filter(([n]) => !n.startsWith('(idle)')).slice(0, Number(values.top))) {
      process.stdout.write(`  ${pct(ms, busy)}  ${name}\n`);
    }
  }
}

if (require.main === module) main();
