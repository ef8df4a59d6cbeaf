/**
 * An async iterable over a push-style stream: for the readers that iterate a source which
 * pushes its chunks (see PushableChunks), with the same order and back-pressure — the source
 * waits until the reader asked for the next chunk.
 */
import type { PushableChunks, SourceChunk } from './types.js';

/** Pushes come from `pushTo`; `cancel` stops the source when a reader leaves early. */
export function pushableChunks(pushTo: PushableChunks['pushTo'], cancel: () => void): PushableChunks {
  return {
    pushTo,
    [Symbol.asyncIterator]: () => iteratePushes(pushTo, cancel),
  };
}

async function* iteratePushes(pushTo: PushableChunks['pushTo'], cancel: () => void): AsyncGenerator<SourceChunk> {
  const waiting: SourceChunk[] = [];
  let wakeReader = null as (() => void) | null;
  let resumeSource = null as (() => void) | null;
  let ended = false;
  let failed = false;
  let failure: unknown;
  let stopped = false;
  const wake = () => {
    const wakeNow = wakeReader;
    wakeReader = null;
    wakeNow?.();
  };
  const pushing = pushTo((chunk) => {
    if (stopped) return;
    waiting.push(chunk);
    wake();
    // The source waits until the reader has taken this chunk and asked for the next.
    return new Promise<void>((resolve) => (resumeSource = resolve));
  }).then(
    () => {
      ended = true;
      wake();
    },
    (error: unknown) => {
      ended = true;
      failed = true;
      failure = error;
      wake();
    },
  );
  let completed = false;
  try {
    for (;;) {
      const chunk = waiting.shift();
      if (chunk !== undefined) {
        yield chunk;
        const resume = resumeSource;
        resumeSource = null;
        resume?.();
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
    completed = true;
    if (failed) throw failure;
  } finally {
    if (!completed) {
      // The reader left early: stop the source, let it run to its end, ignore how it ends.
      stopped = true;
      cancel();
      const resume = resumeSource;
      resumeSource = null;
      resume?.();
      await pushing;
    }
  }
}
