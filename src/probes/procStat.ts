/**
 * A process's CPU time as Linux's /proc tells it: for processes the tool starts but cannot ask
 * (browsers, a benchmark's mock server). Linux only; elsewhere null, never guessed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One process as /proc/<pid>/stat describes it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  comm: string;
  /** R, S, D, Z (zombie: ended, not yet reaped by its parent), … */
  state: string;
  /** utime + stime + cutime + cstime in clock ticks: its own CPU and that of its reaped children. */
  cpuTicks: number;
}

/** Parses one /proc/<pid>/stat line (the command name may hold spaces and parentheses). Pure. */
export function parseProcStat(line: string): ProcessEntry | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open === -1 || close === -1) return null;
  const fields = line.slice(close + 2).split(' ');
  const [state] = fields;
  if (state === undefined) return null;
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const number = (field: number) => Number(fields[field - 3]);
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid: number(4),
    comm: line.slice(open + 1, close),
    state,
    cpuTicks: number(14) + number(15) + number(16) + number(17),
  };
}

let clockTicksPerSecond: number | null = null;
/** USER_HZ (the unit of /proc CPU times), from getconf; 100 where it cannot be asked. */
export function ticksPerSecond(): number {
  if (clockTicksPerSecond === null) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** CPU time (user + system, reaped children included) process `pid` has used so far, in ms; null without /proc or once it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const entry = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return entry ? (entry.cpuTicks * 1000) / ticksPerSecond() : null;
  } catch {
    return null;
  }
}
