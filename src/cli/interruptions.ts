/**
 * Ctrl-C always works. The first SIGINT, SIGTERM or SIGHUP asks the run to stop: streams in
 * flight are cut short, the configs done so far and the one running (marked `interrupted`) are
 * saved, keys deleted, servers stopped. If that has not happened within STOP_GRACE_MS (a stream
 * stuck on a paused Redis, cleanup waiting on it), or on a second signal, the document as of
 * the last finished config is written synchronously, marked interrupted and incomplete, and the
 * process exits 130 at once (its exit hooks still stop a private redis-server).
 */
import { setMaxListeners } from 'node:events';
import type { ConfigResult, ResultDocument } from '../result/resultSchema.js';
import { EXIT } from './exitCodes.js';
import type { CliOutput } from './io.js';
import { writeFileAtomicSync } from './resultFallback.js';
import type { RunInProgress } from './runAndSave.js';

/** How long the first signal waits for an orderly stop before the forced one. */
export const STOP_GRACE_MS = 5000;

/** How long an interrupted run may linger after its work (open sockets of a paused Redis) before it exits. */
const EXIT_AFTER_INTERRUPTION_MS = 300;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Listens for the stop signals while a run goes, telling what it does on `stderr`; `dispose()` stops listening. */
export function watchInterruptions(progress: RunInProgress, stderr: CliOutput): { signal: AbortSignal; dispose(): void } {
  const interruption = new AbortController();
  // Every stream in flight listens for the interruption: under load that is thousands.
  setMaxListeners(0, interruption.signal);
  let graceTimer: NodeJS.Timeout | undefined;
  const onSignal = (signalName: NodeJS.Signals) => {
    if (interruption.signal.aborted) forceStop(progress, `${signalName} again`, stderr);
    stderr.write(`\n${signalName}: stopping; streams in flight are cut short and partial results saved within ${STOP_GRACE_MS / 1000} s (send again to stop at once)\n`);
    interruption.abort();
    graceTimer = setTimeout(() => forceStop(progress, `the run did not stop within ${STOP_GRACE_MS / 1000} s`, stderr), STOP_GRACE_MS);
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: interruption.signal,
    dispose() {
      clearTimeout(graceTimer);
      for (const name of SIGNALS) process.off(name, onSignal);
      // After an interruption the work is done and saved, but a socket to a paused Redis stays
      // half-closed (it never answers our FIN) and would hold the exit for seconds: exit with the
      // code the command sets, once what is left (the output) has been written.
      if (interruption.signal.aborted) setTimeout(() => process.exit(), EXIT_AFTER_INTERRUPTION_MS).unref();
    },
  };
}

/**
 * The document a forced stop writes: the configs done, the running one marked interrupted with
 * every stream it had measured (`partial`, when its streams had started), the whole marked
 * interrupted and incomplete.
 */
export function forcedStopDocument(document: ResultDocument, runningConfig: string | null, partial: ConfigResult | null = null): ResultDocument {
  const configs = [...document.configs];
  if (runningConfig !== null && !configs.some((config) => config.name === runningConfig)) {
    if (partial !== null && partial.name === runningConfig) configs.push(partial);
    else
      configs.push({
        name: runningConfig,
        state: 'interrupted',
        message: 'stopped by force while it ran (a second signal, or no orderly stop within the grace period): its measurements are lost',
        settings: {},
        metrics: null,
        iterations: [],
      });
  }
  return { ...document, interrupted: true, incomplete: true, configs };
}

function forceStop(progress: RunInProgress, reason: string, stderr: CliOutput): never {
  const { document, outputPath, runningConfig } = progress;
  // The running config's streams measured so far; building them must not stop the exit.
  let partial: ConfigResult | null = null;
  try {
    partial = progress.runningPartial?.() ?? null;
  } catch (error) {
    stderr.write(`streambench: could not collect the running config's streams (${(error as Error).message})\n`);
  }
  if (document !== null && outputPath !== null) {
    try {
      writeFileAtomicSync(outputPath, `${JSON.stringify(forcedStopDocument(document, runningConfig, partial), null, 2)}\n`);
      const kept = partial === null ? '' : `, and ${partial.iterations.length} measured stream(s) of the running config "${partial.name}"`;
      stderr.write(`streambench: ${reason}: stopped at once; ${document.configs.length} finished config(s)${kept} saved to ${outputPath} (marked interrupted)\n`);
    } catch (error) {
      stderr.write(`streambench: ${reason}: stopped at once; could not save ${outputPath} (${(error as Error).message})\n`);
    }
  } else {
    stderr.write(`streambench: ${reason}: stopped at once${outputPath === null ? '' : '; no config had finished, nothing saved'}\n`);
  }
  process.exit(EXIT.interrupted);
}
