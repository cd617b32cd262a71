import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { MeasuredWindow } from '../scenarios/scenario';

/**
 * CPU used over a measured window, in cores (1.0 = one core busy the whole
 * window): by each process the bench knows (the API, DynamoDB Local's JVM, the
 * bench itself…), by the whole machine, and the rest of the machine — other
 * people's jobs on a shared box. Linux only (/proc); elsewhere it records nothing.
 */
export interface CpuUsage {
  readonly seconds: number;
  readonly cores: number;
  readonly byProcess: Readonly<Record<string, number>>;
  readonly machineBusy: number;
  /** Busy cores not accounted for by the processes above (other jobs, the kernel). */
  readonly other: number;
  readonly loadAverageAfter: readonly number[];
}

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux the bench runs on

function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number; cores: number } | undefined {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const cpu = lines[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] ?? 0);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total, cores: lines.filter((l) => /^cpu\d+ /.test(l)).length };
  } catch {
    return undefined;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A window recording the CPU time of `processes` (name → pid) between begin() and end(). */
export function cpuWindow(processes: Readonly<Record<string, number | readonly number[]>>): MeasuredWindow {
  let start: { at: number; machine?: ReturnType<typeof machineTicks>; byPid: Map<string, Map<number, number>> } | undefined;
  return {
    async begin() {
      // A name may stand for several processes (the API's workers with --workers n): their CPU is summed.
      const byPid = new Map<string, Map<number, number>>();
      for (const [name, pids] of Object.entries(processes)) {
        const ticks = new Map<number, number>();
        for (const pid of typeof pids === 'number' ? [pids] : pids) {
          const t = processTicks(pid);
          if (t !== undefined) ticks.set(pid, t);
        }
        if (ticks.size) byPid.set(name, ticks);
      }
      start = { at: performance.now(), machine: machineTicks(), byPid };
    },
    async end() {
      if (!start) return {};
      const seconds = (performance.now() - start.at) / 1000;
      const machine = machineTicks();
      const byProcess: Record<string, number> = {};
      let accounted = 0;
      for (const [name, before] of start.byPid) {
        let ticks: number | undefined;
        for (const [pid, then] of before) {
          const after = processTicks(pid);
          if (after !== undefined) ticks = (ticks ?? 0) + after - then;
        }
        if (ticks === undefined) continue;
        const cores = ticks / TICKS_PER_SECOND / seconds;
        byProcess[name] = round(cores);
        accounted += cores;
      }
      const busy = machine && start.machine ? (machine.busy - start.machine.busy) / TICKS_PER_SECOND / seconds : Number.NaN;
      start = undefined;
      const cpu: CpuUsage = {
        seconds: round(seconds),
        cores: machine?.cores ?? 0,
        byProcess,
        machineBusy: round(busy),
        other: round(Math.max(0, busy - accounted)),
        loadAverageAfter: loadavg().map(round),
      };
      return { cpu };
    },
  };
}

/** A window that records nothing (scenarios run outside the harness). */
export const NO_WINDOW: MeasuredWindow = { begin: async () => undefined, end: async () => ({}) };

/** Cores busy over `seconds` that none of `processes` used: other people's jobs on a shared machine. */
export async function otherCpu(processes: Readonly<Record<string, number | readonly number[]>>, seconds = 3): Promise<number> {
  const window = cpuWindow(processes);
  await window.begin();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { cpu } = await window.end();
  return cpu ? cpu.other : 0;
}
