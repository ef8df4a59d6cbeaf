/**
 * Entry of a load worker thread (`load.workers`): builds its own source and pipeline (relay
 * server, client, Redis connections) and runs its share of one config's streams, then posts
 * the result with its exact snapshot. Talks to the main thread in WorkerMessage / MainMessage.
 */
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { runConfigInThisThread } from '../run/runConfig.js';
import { createSource } from '../sources/sourceSettings.js';
import type { MainMessage, WorkerMessage, WorkerTask } from './workerProtocol.js';

const task = workerData as WorkerTask;
const port = parentPort!;
const interruption = new AbortController();
// Every stream in flight listens for the interruption: under load that is hundreds.
setMaxListeners(0, interruption.signal);
let go!: () => void;
const started = new Promise<void>((resolve) => (go = resolve));
port.on('message', (message: MainMessage) => {
  if (message.type === 'go') go();
  if (message.type === 'abort') {
    interruption.abort();
    go();
  }
});
const post = (message: WorkerMessage) => port.postMessage(message);

try {
  const source = await createSource(task.sourceSettings, task.seed);
  try {
    const redis = task.redis && ('skipped' in task.redis ? task.redis : { ...task.redis, release: async () => {} });
    const result = await runConfigInThisThread(
      task.config,
      task.configIndex,
      task.plan,
      { runId: task.runId, seed: task.seed, shard: task.shard, clock: systemClock, source, sourceSettings: task.sourceSettings, redis },
      {
        signal: interruption.signal,
        onStream: () => post({ type: 'stream' }),
        onWarm: async () => {
          post({ type: 'warm' });
          await started;
        },
        onMeasuredEnd: () => post({ type: 'measured' }),
      },
    );
    post({ type: 'result', result });
  } finally {
    await source.close?.();
  }
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  port.close();
}
