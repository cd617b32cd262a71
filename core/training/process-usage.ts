import { readFile, readdir } from 'node:fs/promises';

/**
 * Resource use of a child process tree on Linux, read from /proc:
 * - CPU time: the wrapper shell's `cutime`/`cstime` (CPU of the children it
 *   waited for, grandchildren included once they are reaped), read by the
 *   shell itself after the command exits — exact, no sampling;
 * - peak memory: the largest VmHWM (a process's own resident high-water mark)
 *   of any process in the tree, and the largest summed VmRSS of the tree,
 *   sampled while it runs; a peak in the last sampling interval before a
 *   process exits can be missed.
 * Elsewhere (no /proc) the figures are null.
 */

/** USER_HZ: clock ticks per second in /proc/<pid>/stat, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The (utime, stime, cutime, cstime) of a /proc/<pid>/stat line, in milliseconds. */
export function parseProcStat(text: string): { userMs: number; systemMs: number; childrenUserMs: number; childrenSystemMs: number } | undefined {
  // The command name (field 2) is in parentheses and may hold spaces; fields are counted after its closing parenthesis.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state): utime is field 14 → fields[11].
  const ticks = [11, 12, 13, 14].map((i) => Number(fields[i]));
  if (ticks.some((t) => !Number.isFinite(t))) return undefined;
  const ms = (t: number) => (t * 1000) / CLOCK_TICKS_PER_SECOND;
  return { userMs: ms(ticks[0]), systemMs: ms(ticks[1]), childrenUserMs: ms(ticks[2]), childrenSystemMs: ms(ticks[3]) };
}

async function statusKiB(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const value = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
    const rss = value('VmRSS');
    const hwm = value('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss, hwm } : undefined;
  } catch {
    return undefined; // exited between listing and reading
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const lists = await Promise.all(tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')));
    return lists.flatMap((l) => l.trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

async function processTree(root: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0 && out.length < 4096) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(await childrenOf(pid)));
  }
  return out;
}

/** Samples the peak memory of the tree under `pid` every `intervalMs` until stopped. */
export function samplePeakMemory(pid: number, intervalMs: number): { stop(): Promise<number | null> } {
  let peakKiB: number | null = null;
  let running: Promise<void> = Promise.resolve();
  const sample = async () => {
    const tree = await processTree(pid);
    const statuses = (await Promise.all(tree.map(statusKiB))).filter((s): s is { rss: number; hwm: number } => s !== undefined);
    if (statuses.length === 0) return;
    const total = statuses.reduce((s, v) => s + v.rss, 0);
    const highest = Math.max(...statuses.map((s) => s.hwm));
    peakKiB = Math.max(peakKiB ?? 0, total, highest);
  };
  const timer = setInterval(() => {
    running = running.then(sample);
  }, intervalMs);
  running = running.then(sample);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      return peakKiB === null ? null : peakKiB * 1024;
    },
  };
}
