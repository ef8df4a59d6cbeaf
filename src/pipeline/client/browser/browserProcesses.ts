/**
 * The browser's own CPU and memory, read from /proc: every Chromium process this Node process
 * started (the browser, its zygotes, renderers, GPU and utility processes). Linux only;
 * elsewhere the figures are null, never guessed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat, type ProcessEntry, ticksPerSecond } from '../../../probes/procStat.js';

/**
 * Every running process on the machine, or [] where /proc is not there. Zombies are left out:
 * they have ended (Chromium's crash handler is re-parented to init, and a container's init may
 * never reap it).
 */
export function listProcesses(): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const entries: ProcessEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const entry = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (entry && entry.state !== 'Z') entries.push(entry);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return entries;
}

/** Chromium processes below `rootPid`: those named chrom…, and everything below them. Pure. */
export function browserProcessesUnder(rootPid: number, processes: readonly ProcessEntry[]): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of processes) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const found: ProcessEntry[] = [];
  const walk = (pid: number, insideBrowser: boolean): void => {
    for (const child of children.get(pid) ?? []) {
      const isBrowser = insideBrowser || /chrom/i.test(child.comm);
      if (isBrowser) found.push(child);
      walk(child.pid, isBrowser);
    }
  };
  walk(rootPid, false);
  return found;
}

/** Memory of one process in MB: proportional set size (shared pages split between sharers), else RSS. */
function memoryMB(pid: number): number {
  try {
    const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (pss) return Number(pss[1]) / 1024;
  } catch {
    // smaps_rollup needs a newer kernel or more rights: fall back to RSS.
  }
  try {
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return rss ? Number(rss[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU and memory of this process's browsers now. */
export interface BrowserResourceReading {
  /** Cumulative CPU time of the browsers' processes (user + system, reaped children included), in ms. */
  cpuMs: number;
  /** Their memory now, in MB (sum of PSS, else RSS). */
  memoryMB: number;
  /** Their process ids now. */
  pids: number[];
}

/** Reads the CPU and memory of every Chromium process this Node process started; null without /proc. */
export function readBrowserResources(rootPid = process.pid): BrowserResourceReading | null {
  const processes = listProcesses();
  if (processes.length === 0) return null;
  const browsers = browserProcessesUnder(rootPid, processes);
  const ticks = browsers.reduce((sum, entry) => sum + entry.cpuTicks, 0);
  return {
    cpuMs: (ticks * 1000) / ticksPerSecond(),
    memoryMB: browsers.reduce((sum, entry) => sum + memoryMB(entry.pid), 0),
    pids: browsers.map((entry) => entry.pid),
  };
}
