import type { Clock, TimerHandle } from '../../clock.js';
import { AppStreamError } from './types.js';

/** The waits a read has deadlines for. */
export type DeadlineKind = 'connect' | 'firstByte' | 'idle';

/** The setting behind each deadline, for messages. */
export const DEADLINE_SETTING: Record<DeadlineKind, string> = {
  connect: 'timeouts.connectMs',
  firstByte: 'timeouts.firstByteMs',
  idle: 'timeouts.idleMs',
};

/** One deadline at a time, re-armed as the read moves on; calls `onExpire` once when it passes. */
export class Deadline {
  private handle: TimerHandle | null = null;
  /** The deadline that passed, if one did. */
  expired: { kind: DeadlineKind; ms: number } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: () => void,
  ) {}

  /** Starts (or restarts) the wait `kind` of `ms` milliseconds. */
  arm(kind: DeadlineKind, ms: number): void {
    this.disarm();
    this.handle = this.clock.setTimer(() => {
      this.handle = null;
      this.expired = { kind, ms };
      this.onExpire();
    }, ms);
  }

  /** Stops waiting. */
  disarm(): void {
    if (this.handle !== null) this.clock.clearTimer(this.handle);
    this.handle = null;
  }
}

/** A timeout's error: what did not happen (`what[kind]`), within how long, and the setting that sets it. */
export function timeoutError(expired: { kind: DeadlineKind; ms: number }, what: Record<DeadlineKind, string>): AppStreamError {
  return new AppStreamError(`${what[expired.kind]} within ${expired.ms} ms (${DEADLINE_SETTING[expired.kind]})`, 'timeout');
}
