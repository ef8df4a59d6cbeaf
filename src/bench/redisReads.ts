/**
 * `npm run bench:redis`: how the bytes a Redis list reader reads grow with stream length,
 * for `full` (LRANGE 0 -1 per signal) vs `from-index` (LRANGE last+1 -1), through the real
 * Redis that `--redis auto` finds. Chunks arrive 1 ms apart, so every chunk gets its own
 * signal and read, as in the field.
 */
import Table from 'cli-table3';
import { runScenario } from '../run/runScenario.js';
import { resolveScenario } from '../scenario/loadScenario.js';

const TOKEN_COUNTS = [500, 1000, 2000];
const table = new Table({
  head: ['tokens', 'read', 'Redis bytes read / stream', 'per token', 'payload bytes / token', 'commands / token'],
  style: { head: [], border: [] },
});
for (const tokens of TOKEN_COUNTS) {
  const scenario = resolveScenario(
    {
      name: `redis-reads-${tokens}`,
      iterations: 1,
      warmup: 0,
      source: { type: 'synthetic', tokens, ttftMs: 0, gapMs: 1 },
      pipeline: { serializer: 'single-pass', client: { type: 'lean', render: { strategy: 'frame' } } },
      variants: [
        { name: 'full', pipeline: { broker: { type: 'redis-list', read: 'full' } } },
        { name: 'from-index', pipeline: { broker: { type: 'redis-list', read: 'from-index' } } },
      ],
    },
    'bench',
    '',
  );
  const document = await runScenario(scenario);
  for (const config of document.configs) {
    const counters = config.metrics?.counters;
    if (config.state !== 'completed' || !counters) throw new Error(`${config.name}: ${config.state} ${config.message ?? ''}`);
    // Counters a Redis run always records; NaN shows a missing one in the table.
    const bytesPerToken = counters.redisBytesReadPerToken ?? Number.NaN;
    table.push([
      tokens,
      config.name,
      Math.round(bytesPerToken * tokens).toLocaleString('en-US'),
      bytesPerToken.toFixed(1),
      (counters.brokerPayloadBytesPerToken ?? Number.NaN).toFixed(1),
      (counters.redisCommandsPerToken ?? Number.NaN).toFixed(2),
    ]);
  }
}
process.stdout.write(`${table.toString()}\n`);
