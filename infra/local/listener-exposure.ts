import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A TCP socket in LISTEN state, with the process that holds it. */
export interface Listener {
  readonly pid: number;
  readonly address: string;
  readonly port: number;
  readonly loopback: boolean;
}

/**
 * Every TCP listener held by the given processes, read from /proc (Linux):
 * the socket inodes a process holds (`/proc/<pid>/fd`) joined with the
 * kernel's listening sockets (`/proc/net/tcp`, `/proc/net/tcp6`). Returns
 * undefined where /proc is not available, so callers can say they could not
 * check instead of claiming all is well.
 */
export function listenersOf(pids: readonly number[]): Listener[] | undefined {
  let table: Map<string, { address: string; port: number; loopback: boolean }>;
  try {
    table = new Map([...listeningSockets('/proc/net/tcp', false), ...listeningSockets('/proc/net/tcp6', true)]);
  } catch {
    return undefined;
  }
  const found: Listener[] = [];
  for (const pid of pids) {
    for (const inode of socketInodes(pid)) {
      const socket = table.get(inode);
      if (socket) found.push({ pid, ...socket });
    }
  }
  return found;
}

function socketInodes(pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const inodes: string[] = [];
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.push(match[1]);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

const LISTEN = '0A';

function* listeningSockets(path: string, v6: boolean): Generator<[string, { address: string; port: number; loopback: boolean }]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (v6 && (error as NodeJS.ErrnoException).code === 'ENOENT') return; // IPv6 disabled
    throw error;
  }
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== LISTEN) continue;
    const [hexAddress, hexPort] = fields[1].split(':') as [string, string];
    const address = v6 ? ipv6Of(hexAddress) : ipv4Of(hexAddress);
    yield [fields[9], { address, port: parseInt(hexPort, 16), loopback: isLoopback(address) }];
  }
}

/** /proc/net/tcp writes the address as one little-endian 32-bit word. */
function ipv4Of(hex: string): string {
  const bytes = Buffer.from(hex, 'hex').reverse();
  return [...bytes].join('.');
}

/** /proc/net/tcp6: four 32-bit words, each little-endian. */
function ipv6Of(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const word = Buffer.from(hex.slice(i, i + 8), 'hex')
      .reverse()
      .toString('hex');
    words.push(word.slice(0, 4), word.slice(4, 8));
  }
  const full = words.map((w) => w.replace(/^0+(?=.)/, '')).join(':');
  return full === '0:0:0:0:0:0:0:0' ? '::' : full;
}

export function isLoopback(address: string): boolean {
  if (/^127\./.test(address)) return true;
  if (address === '0:0:0:0:0:0:0:1') return true;
  // An IPv4-mapped loopback address (::ffff:127.x.y.z).
  return /^0:0:0:0:0:ffff:7f[0-9a-f]{2}:/.test(address);
}

/** Every descendant of `pid` (children, their children…), read from /proc. */
export function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(rest[1]));
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const current = queue.shift()!;
    for (const [child, parent] of parentOf) {
      if (parent === current) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}
