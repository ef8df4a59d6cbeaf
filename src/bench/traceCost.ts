/**
 * `node dist/bench/traceCost.js [streams] [rounds]`: what the probes and statistics cost per
 * token, without the pipeline around them. Replays the floor workload's shape (150 one-token
 * chunks per stream, a message per 1–2 chunks, every stage stamped, every event received and
 * rendered) into `streams` traces alive at once (built interleaved, as concurrent streams are),
 * then checks and summarises each into one config. Prints the CPU per token (median and lowest
 * of `rounds`) and the memory the live traces held (heap + array buffers after a GC, when run
 * with --expose-gc). Deterministic input; the timing still moves with the machine's load.
 */
import { StreamTrace, type MessageStage } from '../probes/streamTrace.js';
import { ConfigMeasurements } from '../stats/configMeasurements.js';
import { checkDelivery } from '../stats/deliveryCheck.js';
import type { StreamCounts } from '../stats/streamSummary.js';

const TOKENS = 150;
const PRODUCER_STAGES: MessageStage[] = ['batched', 'processed', 'brokerWrite', 'brokerRead'];
const streams = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 7);
const texts = Array.from({ length: 50 }, (_, index) => ` w${index}`);

/** A deterministic pseudo-random sequence (the same traces every run). */
let seed = 7;
const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

/** One step of a stream's trace, as the runner and client make them. */
type Step = (trace: StreamTrace) => void;

/** Every stream's steps, in the order they happen. */
const plans: { startMs: number; steps: Step[] }[] = Array.from({ length: streams }, (_, stream) => {
  const steps: Step[] = [];
  let atMs = 1000 + stream * 7;
  let seq = 0;
  let pending: number[] = [];
  for (let chunk = 0; chunk < TOKENS; chunk++) {
    atMs += 20 + random();
    const emitMs = atMs;
    steps.push((trace) => trace.emit({ text: texts[chunk % texts.length]!, tokens: 1 }, emitMs));
    pending.push(chunk);
    if (random() >= 0.6 && chunk < TOKENS - 1) continue;
    const messageSeq = seq++;
    const firstChunk = pending[0]!; // pending holds consecutive chunks, this one at least
    const chunkCount = pending.length;
    pending = [];
    steps.push((trace) => trace.assign(messageSeq, firstChunk, chunkCount));
    let stampMs = atMs;
    for (const stage of PRODUCER_STAGES) {
      stampMs += random() * 2;
      const stageMs = stampMs;
      steps.push((trace) => trace.stamp(stage, messageSeq, stageMs));
    }
    const receivedMs = stampMs + random();
    const renderedMs = receivedMs + random() * 10;
    steps.push((trace) => {
      trace.receive(messageSeq, receivedMs, false, true);
      trace.stamp('clientReceive', messageSeq, receivedMs);
    });
    steps.push((trace) => trace.render(renderedMs, 0.1, [messageSeq]));
  }
  const endSeq = seq;
  const endMs = atMs + 5;
  steps.push((trace) => {
    trace.receive(endSeq, endMs, true, false);
    trace.endSeq = endSeq;
  });
  return { startMs: 900 + stream * 7, steps };
});

const counts = (check: StreamCounts['check']): StreamCounts => ({
  delivery: { events: 0, bytes: 0, firstByteAtMs: null, firstEventAtMs: null },
  jsonStringifyCalls: 0,
  jsonParseCalls: 0,
  cpuUs: null,
  broker: {},
  serializer: {},
  check,
});

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;
const cpuPerToken: number[] = [];
let liveMB: number | null = null;
for (let round = 0; round < rounds; round++) {
  gc?.();
  const before = process.memoryUsage();
  const cpuAtStart = process.cpuUsage();
  const traces = plans.map((plan) => new StreamTrace(plan.startMs));
  // A few steps of each stream in turn, until every stream is done: all traces alive at once.
  for (let step = 0, left = true; left; step += 8) {
    left = false;
    plans.forEach((plan, stream) => {
      for (const apply of plan.steps.slice(step, step + 8)) apply(traces[stream]!);
      if (step + 8 < plan.steps.length) left = true;
    });
  }
  // With --expose-gc the first round measures the memory the live traces hold; its CPU (with a forced GC) is not counted.
  const measuresMemory = gc !== undefined && round === 0;
  if (measuresMemory) {
    gc();
    const held = process.memoryUsage();
    liveMB = (held.heapUsed + held.arrayBuffers - before.heapUsed - before.arrayBuffers) / MB;
  }
  const config = new ConfigMeasurements();
  for (const trace of traces) config.addStream(trace, counts(checkDelivery(trace, trace.sentText())));
  const cpu = process.cpuUsage(cpuAtStart);
  if (!measuresMemory) cpuPerToken.push((cpu.user + cpu.system) / (streams * TOKENS));
}
const measured = [...cpuPerToken].sort((a, b) => a - b);
const median = measured[Math.floor(measured.length / 2)] ?? Number.NaN;
process.stdout.write(
  `trace + statistics, ${streams} live streams of ${TOKENS} tokens: CPU per token median ${median.toFixed(2)} µs, lowest ${(measured[0] ?? Number.NaN).toFixed(2)} µs (${measured.length} rounds)` +
    (liveMB !== null ? `; live traces held ${liveMB.toFixed(1)} MB (heap + array buffers after GC)\n` : '; run with node --expose-gc for the memory held\n'),
);
