/**
 * `npm run bench`: micro-benchmarks of the pipeline's own parts with tinybench — each
 * serializer, each batcher, the cost of one probe timestamp, and the whole in-process
 * pipeline with zero source delays. Prints a table and checks the targets (a probe
 * timestamp ≤ 200 ns; the lean pipeline ≥ 1,000,000 tokens/s on a quiet machine), exiting 1 if one is missed.
 */
import Table from 'cli-table3';
import { wrapWords } from '../report/fitTable.js';
import { Bench } from 'tinybench';
import { ManualClock, monotonicNowMs, systemClock } from '../clock.js';
import { createBatcher } from '../pipeline/batchers/createBatcher.js';
import type { BatchSettings } from '../pipeline/batchers/settings.js';
import { createSerializer, SERIALIZER_NAMES } from '../pipeline/serializers/index.js';
import { JsonCounter } from '../probes/jsonCounter.js';
import { StreamTrace } from '../probes/streamTrace.js';
import { buildPipeline } from '../run/buildPipeline.js';
import { runStream } from '../run/runStream.js';
import { resolveScenario } from '../scenario/loadScenario.js';
import { createSyntheticSource } from '../sources/synthetic.js';

const MESSAGES_PER_TASK = 1_000;
const STAMPS_PER_TASK = 10_000;
const PIPELINE_TOKENS = 20_000;
/** The table and its footer fit this many columns. */
const OUTPUT_WIDTH = 120;
const texts = Array.from({ length: MESSAGES_PER_TASK }, (_, index) => ` token${index}`);

interface Row {
  name: string;
  perUnitNs: number;
  unit: string;
  throughputPerSecond: number;
  target?: { text: string; met: boolean };
}

const bench = new Bench({ time: 500, warmupTime: 100 });

for (const name of SERIALIZER_NAMES) {
  const serializer = createSerializer(name);
  bench.add(`serializer ${name}`, () => {
    const json = new JsonCounter();
    const producer = serializer.open(json);
    const relay = serializer.open(json);
    const decoder = serializer.open(json);
    texts.forEach((text, seq) => decoder.decode(relay.relay(producer.encode({ seq, text }))));
  });
}

const batchSettings: BatchSettings[] = [
  { mode: 'none', size: 5, timeoutMs: 100, merge: true, firstImmediate: false },
  { mode: 'seed', size: 5, timeoutMs: 100, merge: true, firstImmediate: false },
  { mode: 'timer', size: 5, timeoutMs: 100, merge: true, firstImmediate: false },
];
for (const settings of batchSettings) {
  bench.add(`batcher ${settings.mode}`, () => {
    let flushed = 0;
    const batcher = createBatcher<string>(
      settings,
      new ManualClock(),
      () => true,
      (items) => (flushed += items.length),
    );
    for (const text of texts) batcher.push(text);
    batcher.end();
    if (flushed !== texts.length) throw new Error('batcher lost items');
  });
}

bench.add('probe timestamp (clock read + stamp)', () => {
  const trace = new StreamTrace(0);
  for (let seq = 0; seq < STAMPS_PER_TASK; seq++) trace.stamp('brokerRead', seq, monotonicNowMs());
});

const lean = resolveScenario(
  {
    name: 'bench',
    source: { type: 'synthetic', profile: 'zero-delay', tokens: PIPELINE_TOKENS },
    pipeline: { serializer: 'single-pass', batch: { mode: 'timer', size: 16, timeoutMs: 5 }, client: { type: 'lean', render: { strategy: 'frame' } } },
  },
  'bench',
  '',
);
const source = createSyntheticSource(lean.source as Extract<typeof lean.source, { type: 'synthetic' }>, 1);
const leanConfig = lean.configs[0];
if (!leanConfig) throw new Error('the lean scenario has no config');
const pipeline = await buildPipeline(leanConfig.pipeline, { runId: 'bench', seed: 1, clock: systemClock, source, redis: null });
// Sustained rate = tokens / (last token at the client − request start), per stream: the
// time tokens flow, not counting the wait for the last frame to paint.
let streamIndex = 0;
const deliveredTokensPerSecond: number[] = [];
bench.add('lean in-process pipeline', async () => {
  const run = await runStream(pipeline, streamIndex++ % 4, `bench-${streamIndex}`);
  if (run.counts.check.problem) throw new Error(run.counts.check.problem);
  const lastReceiveMs = Math.max(...run.trace.stampsOf('clientReceive').filter((value) => !Number.isNaN(value)));
  deliveredTokensPerSecond.push(run.trace.tokenCount() / ((lastReceiveMs - run.trace.requestStartMs) / 1000));
});

await bench.run();
await pipeline.close();
const medianDeliveredTokensPerSecond = [...deliveredTokensPerSecond].sort((a, b) => a - b)[Math.floor(deliveredTokensPerSecond.length / 2)] ?? Number.NaN;

const rows: Row[] = bench.tasks.map((task) => {
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
  const meanMs = result.latency.mean;
  const unitsPerTask = task.name.startsWith('probe') ? STAMPS_PER_TASK : task.name.startsWith('lean') ? PIPELINE_TOKENS : MESSAGES_PER_TASK;
  const unit = task.name.startsWith('probe') ? 'timestamp' : task.name.startsWith('lean') ? 'token' : task.name.startsWith('batcher') ? 'chunk' : 'message';
  const perUnitNs = (meanMs * 1e6) / unitsPerTask;
  const row: Row = { name: task.name, perUnitNs, unit, throughputPerSecond: 1e9 / perUnitNs };
  if (task.name.startsWith('probe')) row.target = { text: '≤ 200 ns', met: perUnitNs <= 200 };
  if (task.name.startsWith('lean')) {
    // Short labels keep the table within 120 columns; the footer says what the row measures.
    row.name += ', median delivered';
    row.throughputPerSecond = medianDeliveredTokensPerSecond;
    row.perUnitNs = 1e9 / medianDeliveredTokensPerSecond;
    row.target = { text: '≥ 1,000,000 tokens/s', met: row.throughputPerSecond >= 1_000_000 };
  }
  return row;
});

const table = new Table({ head: ['task', 'ns / unit', 'units / s', 'target'], style: { head: [], border: [] } });
for (const row of rows) {
  table.push([
    row.name,
    `${row.perUnitNs.toFixed(1)} ns / ${row.unit}`,
    Math.round(row.throughputPerSecond).toLocaleString('en-US'),
    row.target ? `${row.target.text}: ${row.target.met ? 'met' : 'MISSED'}` : '',
  ]);
}
const footer = `Node ${process.version}; ns/unit = mean tinybench sample ÷ units per task; the pipeline row is the median delivered rate over ${deliveredTokensPerSecond.length} zero-delay streams of ${PIPELINE_TOKENS.toLocaleString('en-US')} tokens`;
process.stdout.write(`${table.toString()}\n${wrapWords(footer, OUTPUT_WIDTH)}\n`);
if (rows.some((row) => row.target && !row.target.met)) process.exitCode = 1;
