/**
 * `processes: split`: the producer side of every stream in a child process, the consumer side
 * here, through a real Redis. The same streams run in one process for comparison: everything
 * that is counted must come out the same, and the child's timestamps, on the shared monotonic
 * clock, must fall in order with this process's.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clock, ManualClock, systemClock } from '../src/clock.js';
import { createMemoryBroker } from '../src/pipeline/brokers/memoryBroker.js';
import { createRedisBroker } from '../src/pipeline/brokers/redis/broker.js';
import { redisBrokerSettingsSchema } from '../src/pipeline/brokers/redis/settings.js';
import type { RedisBrokerStream } from '../src/pipeline/brokers/redis/streamBase.js';
import type { BrokerItem, BrokerStream, OpenStreamOptions } from '../src/pipeline/types.js';
import { StreamTrace } from '../src/probes/streamTrace.js';
import { UpstreamRecord } from '../src/probes/upstreamRecord.js';
import { buildPipeline, type RunEnvironment } from '../src/run/buildPipeline.js';
import { runScenario } from '../src/run/runScenario.js';
import { type ProducerProcess, startProducerProcess } from '../src/run/producer/producerProcess.js';
import { runStream, type StreamRun } from '../src/run/runStream.js';
import { loadScenarioFile, type Scenario } from '../src/scenario/loadScenario.js';
import { createSource } from '../src/sources/sourceSettings.js';
import { ensureBuiltDist } from './helpers/builtDist.js';
import { redisUrlForTests } from './helpers/redisUrl.js';
import { scenarioFrom } from './helpers/scenario.js';
import { processAlive as processExists } from '../src/processAlive.js';
import { entryOf, firstOf, itemAt, leadingOf } from './helpers/indexed.js';

const url = await redisUrlForTests();
const STREAMS = 3;

/** Keys left under a run's prefix. */
async function keysOfRun(redis: Redis, runId: string): Promise<string[]> {
  return redis.keys(`streambench:${runId}:*`);
}

/** A producer child with the field baseline's settings (a Redis list) on the test Redis, its deadlines on `clock`. */
async function startFieldBaselineChild(clock: Clock): Promise<ProducerProcess> {
  const scenario = scenarioFrom({
    source: { type: 'synthetic', profile: 'zero-delay', tokens: 20 },
    pipeline: { preset: 'field-baseline', processes: 'split' },
  });
  const { pipeline } = firstOf(scenario.configs, 'scenario.configs');
  if (pipeline.broker.type === 'memory') throw new Error('the field baseline relays through Redis');
  const settings = {
    runId: `test-split-${randomUUID()}`,
    seed: scenario.seed,
    source: scenario.source,
    serializer: pipeline.serializer,
    batch: pipeline.batch,
    broker: pipeline.broker,
  };
  return startProducerProcess({ ...settings, redisUrl: url! }, clock);
}

/** A run environment for `scenario` on the test Redis, under a fresh run id. */
async function environmentFor(scenario: Scenario): Promise<RunEnvironment> {
  return {
    runId: `test-split-${randomUUID()}`,
    seed: scenario.seed,
    clock: systemClock,
    source: await createSource(scenario.source, scenario.seed),
    sourceSettings: scenario.source,
    redis: { url: url!, redactedUrl: url!, release: async () => {} },
  };
}

/** What one config's streams gave, with the broker streams the runner opened (to read their own counters) and the child's pid. */
interface ConfigRun {
  runs: StreamRun[];
  brokerStreams: RedisBrokerStream[];
  childPid: number | null;
  childAliveDuringRun: boolean;
  runId: string;
}

/** Runs streams 0..STREAMS-1 of `scenario`'s config `index` through buildPipeline and runStream, and closes the pipeline. */
async function runConfigStreams(scenario: Scenario, index: number): Promise<ConfigRun> {
  const environment = await environmentFor(scenario);
  const pipeline = await buildPipeline(itemAt(scenario.configs, index, 'scenario.configs').pipeline, environment);
  const brokerStreams: RedisBrokerStream[] = [];
  const broker = pipeline.broker;
  pipeline.broker = {
    ...broker,
    async openStream(streamId: string, options?: OpenStreamOptions) {
      const stream = (await broker.openStream(streamId, options)) as RedisBrokerStream;
      brokerStreams.push(stream);
      return stream;
    },
  };
  const childPid = pipeline.producerProcess?.pid ?? null;
  const runs: StreamRun[] = [];
  let childAliveDuringRun = false;
  try {
    for (let stream = 0; stream < STREAMS; stream++) runs.push(await runStream(pipeline, stream, `${index}-${stream}`));
    childAliveDuringRun = childPid !== null && processExists(childPid);
  } finally {
    await pipeline.close();
    await environment.source.close?.();
  }
  return { runs, brokerStreams, childPid, childAliveDuringRun, runId: environment.runId };
}

/** The text stream `streamIndex` of `scenario`'s source gives in this process. */
async function textOfStream(scenario: Scenario, streamIndex: number): Promise<string> {
  const source = await createSource(scenario.source, scenario.seed);
  let text = '';
  for await (const chunk of source.open({ clock: systemClock, streamIndex })) text += chunk.text;
  await source.close?.();
  return text;
}

/** Every content message's stamps in pipeline order: emit ≤ batched ≤ processed ≤ brokerWrite, and brokerRead ≥ processed. */
function stageOrderProblems(trace: StreamTrace): string[] {
  const problems: string[] = [];
  for (let seq = 0; seq < trace.endSeq; seq++) {
    const lastEmitMs = Math.max(
      ...trace
        .chunkRecords()
        .filter((chunk) => chunk.messageSeq === seq)
        .map((chunk) => chunk.emitMs),
    );
    const [batched, processed, brokerWrite, brokerRead] = (['batched', 'processed', 'brokerWrite', 'brokerRead'] as const).map((stage) => trace.stampOf(stage, seq));
    if ([batched, processed, brokerWrite, brokerRead].some((atMs) => atMs === undefined)) problems.push(`message ${seq}: a stage is not stamped`);
    else if (!(lastEmitMs <= batched! && batched! <= processed! && processed! <= brokerWrite!)) problems.push(`message ${seq}: producer stamps out of order`);
    else if (!(brokerRead! >= processed!)) problems.push(`message ${seq}: read before it was processed`);
  }
  return problems;
}

describe.skipIf(url === null)('producer and consumer in separate processes (processes: split)', () => {
  let redis: Redis;
  beforeAll(() => {
    // The child runs dist/run/producer/producerChild.js.
    ensureBuiltDist('dist/run/producer/producerChild.js');
    redis = new Redis(url!);
  }, 120_000);
  afterAll(() => redis?.quit());

  describe('a broker stream opened one side at a time, each side on its own broker (as in two processes)', () => {
    const cases = [
      {
        settings: { type: 'redis-list', write: 'fire-and-forget', read: 'from-index' },
        producer: { rpush: 21, expire: 1, publish: 22 },
        consumer: { subscribe: 1, lrange: 22 },
        storesItems: true,
      },
      { settings: { type: 'redis-stream' }, producer: { xadd: 21, expire: 1 }, consumer: null, storesItems: true },
      { settings: { type: 'redis-pubsub' }, producer: { publish: 22 }, consumer: { subscribe: 1 }, storesItems: false },
    ];
    for (const { settings, producer: producerCommands, consumer: consumerCommands, storesItems } of cases) {
      it(`${settings.type}: exact delivery, each side's own commands, and the consumer side owns the keys`, async () => {
        const parsed = redisBrokerSettingsSchema.parse(settings);
        const runId = `test-split-${randomUUID()}`;
        const [producerBroker, consumerBroker] = leadingOf(await Promise.all([0, 1].map(() => createRedisBroker(parsed, { url: url!, runId, clock: systemClock }))), 2, 'brokers');
        try {
          const consumer = await consumerBroker.openStream('sides', { role: 'consumer' });
          const producer = await producerBroker.openStream('sides', { role: 'producer' });
          await expect(consumer.write(['x'])).rejects.toThrow('this stream was opened for its consumer side only: it has no producer connection');
          await expect(producer.read(() => {})).rejects.toThrow('read() on a stream opened for its producer side only');

          const received: BrokerItem[] = [];
          const reading = consumer.read((items) => received.push(...items));
          await consumer.readerJoined!();
          // One write at a time, each awaited: every "new" signal finds one item, so every count is determined.
          for (let item = 0; item < 20; item++) await producer.write([`item ${item}`]);
          await producer.end('end');
          await reading;
          expect(received.map((item) => item.position)).toEqual([...Array(21).keys()]);
          expect(received.map((item) => item.payload)).toEqual([...Array.from({ length: 20 }, (_, item) => `item ${item}`), 'end']);
          expect(producer.commandsByName()).toEqual(producerCommands);
          if (consumerCommands) expect(consumer.commandsByName()).toEqual(consumerCommands);
          else expect(Object.keys(consumer.commandsByName()).sort()).toEqual(['xrange', 'xread']);
          expect(producer.counters().redisSignalsReceived).toBe(0);

          // The producer side leaves the keys to the consumer side, which may still be reading.
          await producer.dispose();
          expect(producerBroker.liveKeys()).toEqual([]);
          expect(await keysOfRun(redis, runId)).toHaveLength(storesItems ? 1 : 0);
          await consumer.dispose();
          expect(await keysOfRun(redis, runId)).toEqual([]);
        } finally {
          await Promise.all([producerBroker.close(), consumerBroker.close()]);
        }
      });
    }
  });

  // Zero-delay source, 100 tokens at token granularity: one message per chunk, no batching.
  const variants = [{ name: 'single' }, { name: 'split', pipeline: { processes: 'split' } }];

  it('redis-list from-index: exact text, the same JSON calls and Redis commands as in one process, stages in order, no child left', async () => {
    const scenario = scenarioFrom({
      // The first token 50 ms after the request: the consumer's SUBSCRIBE reaches Redis before the
      // first PUBLISH. A signal published before it is not heard (its item comes with the join
      // read), one LRANGE fewer: at zero delay the child, started right after the SUBSCRIBE was
      // sent, sometimes published first (302 commands instead of 307 in one CI run).
      source: { type: 'synthetic', profile: 'zero-delay', tokens: 100, ttftMs: 50 },
      pipeline: { preset: 'field-baseline', broker: { type: 'redis-list', write: 'fire-and-forget', read: 'from-index' } },
      variants,
    });
    const single = await runConfigStreams(scenario, 0);
    const split = await runConfigStreams(scenario, 1);

    expect(single.childPid).toBeNull();
    for (let stream = 0; stream < STREAMS; stream++) {
      const [one, two] = [itemAt(single.runs, stream, 'single.runs'), itemAt(split.runs, stream, 'split.runs')];
      expect(two.counts.check.problem).toBeNull();
      expect(two.counts.check.textMatches).toBe(true);
      expect(two.trace.sentText()).toBe(one.trace.sentText());
      expect(two.trace.endSeq).toBe(one.trace.endSeq);
      // The producer's JSON calls are counted in the child and added to the relay's and client's here.
      expect([two.counts.jsonStringifyCalls, two.counts.jsonParseCalls]).toEqual([one.counts.jsonStringifyCalls, one.counts.jsonParseCalls]);
      // Per write RPUSH + PUBLISH, EXPIRE once, END_STREAM once (producer, in the child); SUBSCRIBE,
      // the join LRANGE and one LRANGE per signal (consumer, here): 3 × writes + 4, whatever the timing.
      const writes = one.trace.endSeq + 1;
      for (const run of [one, two]) {
        expect(run.counts.broker.redisCommands).toBe(3 * writes + 4);
        expect(run.counts.broker.redisRoundTrips).toBe(3 * writes + 4);
      }
      for (const counter of ['redisSignalsReceived', 'brokerPayloadBytes'] as const) {
        expect(entryOf(two.counts.broker, counter, 'two.counts.broker')).toBe(entryOf(one.counts.broker, counter, 'one.counts.broker'));
      }
      expect(two.counts.serializer).toEqual(one.counts.serializer);
      expect(stageOrderProblems(two.trace)).toEqual([]);
    }
    // The consumer side here only read: its commands are SUBSCRIBE and LRANGEs.
    for (const stream of split.brokerStreams) expect(Object.keys(stream.commandsByName()).sort()).toEqual(['lrange', 'subscribe']);

    expect(split.childPid).toEqual(expect.any(Number));
    expect(split.childAliveDuringRun).toBe(true);
    expect(processExists(split.childPid!)).toBe(false);
    expect(await keysOfRun(redis, split.runId)).toEqual([]);
  });

  it('redis-stream: exact text, the same JSON calls and producer commands as in one process, stages in order, no child left', async () => {
    const scenario = scenarioFrom({
      pipeline: { preset: 'field-baseline', broker: { type: 'redis-stream', count: 100, blockMs: 1000 } },
      variants,
    });
    const single = await runConfigStreams(scenario, 0);
    const split = await runConfigStreams(scenario, 1);

    for (let stream = 0; stream < STREAMS; stream++) {
      const [one, two] = [itemAt(single.runs, stream, 'single.runs'), itemAt(split.runs, stream, 'split.runs')];
      expect(two.counts.check.problem).toBeNull();
      expect(two.trace.sentText()).toBe(one.trace.sentText());
      expect([two.counts.jsonStringifyCalls, two.counts.jsonParseCalls]).toEqual([one.counts.jsonStringifyCalls, one.counts.jsonParseCalls]);
      expect(two.counts.broker.brokerPayloadBytes).toBe(one.counts.broker.brokerPayloadBytes);
      // How many XRANGE/XREAD the reader needs depends on timing, in one process as in two; the
      // producer's commands do not: one XADD per item (content + end) and one EXPIRE.
      const items = one.trace.endSeq + 1;
      const singleByName = itemAt(single.brokerStreams, stream, 'single.brokerStreams').commandsByName();
      expect(entryOf(singleByName, 'xadd', 'singleByName') + entryOf(singleByName, 'expire', 'singleByName')).toBe(items + 1);
      const consumerHere = itemAt(split.brokerStreams, stream, 'split.brokerStreams');
      expect(Object.keys(consumerHere.commandsByName()).sort()).toEqual(['xrange', 'xread']);
      const producerCommands = entryOf(two.counts.broker, 'redisCommands', 'two.counts.broker') - entryOf(consumerHere.counters(), 'redisCommands', 'consumerHere.counters()');
      expect(producerCommands).toBe(items + 1);
      expect(stageOrderProblems(two.trace)).toEqual([]);
    }
    expect(split.childAliveDuringRun).toBe(true);
    expect(processExists(split.childPid!)).toBe(false);
    expect(await keysOfRun(redis, split.runId)).toEqual([]);
  });

  it('a producer process that dies fails the stream with a message naming it, and leaves no key', async () => {
    // A first token 60 s away: the child is killed while the stream waits for it.
    const scenario = scenarioFrom({
      source: { type: 'synthetic', profile: 'zero-delay', tokens: 100, ttftMs: 60_000 },
      pipeline: { preset: 'field-baseline', processes: 'split' },
    });
    const environment = await environmentFor(scenario);
    const pipeline = await buildPipeline(firstOf(scenario.configs, 'scenario.configs').pipeline, environment);
    const pid = pipeline.producerProcess!.pid;
    try {
      const stream = runStream(pipeline, 0, 'doomed');
      setTimeout(() => process.kill(pid, 'SIGKILL'), 200);
      await expect(stream).rejects.toThrow(new RegExp(`producer process \\(pid ${pid}\\) exited unexpectedly \\(SIGKILL\\)`));
    } finally {
      await pipeline.close();
    }
    expect(await keysOfRun(redis, environment.runId)).toEqual([]);
  });

  it("plans streams in the child on request (a load's, before it starts), and a closed child refuses with its pid", async () => {
    const scenario = scenarioFrom({
      source: { type: 'synthetic', profile: 'zero-delay', tokens: 200 },
      pipeline: { preset: 'field-baseline', processes: 'split' },
    });
    const environment = await environmentFor(scenario);
    const pipeline = await buildPipeline(firstOf(scenario.configs, 'scenario.configs').pipeline, environment);
    const child = pipeline.producerProcess!;
    try {
      await child.prepare([0, 1, 2, 3]);
      // A planned stream runs as any other: the same text as the source plans in this process.
      const run = await runStream(pipeline, 2, 'prepared');
      expect(run.counts.check.problem).toBeNull();
      expect(run.trace.sentText()).toBe(await textOfStream(scenario, 2));
    } finally {
      await pipeline.close();
    }
    await expect(child.prepare([0])).rejects.toThrow(new RegExp(`producer process`));
    expect(await keysOfRun(redis, environment.runId)).toEqual([]);
  });

  it('a child that does not answer misses its deadline, naming its pid, and answers the next question once it runs again', async () => {
    // The deadlines run on the clock given: a manual one passes 10 s at once (the child keeps its own).
    const clock = new ManualClock();
    const child = await startFieldBaselineChild(clock);
    try {
      process.kill(child.pid, 'SIGSTOP');
      const asked = child.cpuUs();
      clock.advance(10_000);
      await expect(asked).rejects.toThrow(`the producer process (pid ${child.pid}) did not say its CPU time within 10 s`);
      process.kill(child.pid, 'SIGCONT');
      // The late answer to the first question goes to it (already rejected), this one to this one.
      const cpuUs = await child.cpuUs();
      expect(cpuUs).toBeGreaterThan(0);
    } finally {
      process.kill(child.pid, 'SIGCONT');
      await child.close();
    }
  });

  it("a stream the child cannot open fails when it runs, with the child's reason; the child goes on", async () => {
    const child = await startFieldBaselineChild(systemClock);
    try {
      // A stream id the keys refuse: the child's open fails, after the main process went on to start the request.
      const producer = await child.openStream({ streamId: 'bad{id}', streamIndex: 0, consumer: {} as BrokerStream, upstream: new UpstreamRecord() });
      await expect(producer.run(new StreamTrace(systemClock.nowMs()))).rejects.toThrow('streamId must be non-empty and without { or }');
      await producer.dispose();
      expect(await child.cpuUs()).toBeGreaterThan(0);
    } finally {
      await child.close();
    }
  });

  it('under load, reports the source lag of every stream produced in the child', async () => {
    const scenario = scenarioFrom({
      source: { type: 'synthetic', tokens: 40, ttftMs: 5, gapMs: 2 },
      pipeline: { preset: 'field-baseline', processes: 'split' },
      load: { concurrency: 4, streams: 8 },
    });
    const document = await runScenario(scenario, { redis: url!, warmup: 0 });
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state, config.message).toBe('completed');
    expect(config.metrics!.sourceLagMs!.n).toBe(8);
    expect(await keysOfRun(redis, document.runId)).toEqual([]);
  });

  it('splits a load by itself on 2 cores when it needs more than one thread, says so, and keeps a load that pins processes', async () => {
    // 30 streams of 30 tokens 1 ms apart: about 26,000 tokens/s planned, over one thread's 10,000.
    const heavy = {
      source: { type: 'synthetic', tokens: 30, ttftMs: 5, gapMs: 1 },
      pipeline: { preset: 'seed-corrected', broker: { connections: 'shared' } },
      load: { concurrency: 30, streams: 30 },
    };
    const document = await runScenario(scenarioFrom(heavy), { redis: url!, warmup: 0, cores: 2 });
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state, config.message).toBe('completed');
    expect(config.settings.processes).toBe('split');
    expect(config.settings.load).toMatchObject({ processesChosenBy: 'streambench' });
    expect((config.settings.load as { plannedTokensPerSecond: number }).plannedTokensPerSecond).toBeGreaterThan(10_000);
    expect(config.iterations.every((iteration) => iteration.tokens === 30)).toBe(true);
    expect(config.metrics!.sourceLagMs!.n).toBe(30);
    expect(await keysOfRun(redis, document.runId)).toEqual([]);

    const pinned = await runScenario(scenarioFrom({ ...heavy, pipeline: { ...heavy.pipeline, processes: 'single' } }), { redis: url!, warmup: 0, cores: 2 });
    const single = firstOf(pinned.configs, 'pinned.configs');
    expect(single.state, single.message).toBe('completed');
    expect(single.settings.processes).toBe('single');
    expect(single.settings.load).not.toHaveProperty('processesChosenBy');
  });

  it('runs the split-processes variant of scenarios/redis.yaml: the field baseline, split', async () => {
    const shipped = await loadScenarioFile('scenarios/redis.yaml');
    const config = shipped.configs.find((candidate) => candidate.name === 'split-processes')!;
    expect(config.pipeline).toMatchObject({
      serializer: 'field-baseline',
      batch: { mode: 'none' },
      broker: { type: 'redis-list', write: 'fire-and-forget', read: 'from-index' },
      client: { type: 'field', render: { strategy: 'debounce', intervalMs: 16 } },
      processes: 'split',
    });
    const document = await runScenario({ ...shipped, configs: [config] }, { redis: url!, iterations: 1, warmup: 0 });
    expect(document.configs.map((result) => [result.state, result.message])).toEqual([['completed', undefined]]);
    expect(firstOf(document.configs, 'document.configs').settings.processes).toBe('split');
    expect(await keysOfRun(redis, document.runId)).toEqual([]);
  });
});

describe('processes: split and the memory broker', () => {
  it('refuses split with the memory broker when the scenario is loaded, naming pipeline.processes', () => {
    expect(() => scenarioFrom({ pipeline: { processes: 'split' } })).toThrow(
      'test.yaml (config "base"): pipeline.processes: split runs the producer in a child process, which the in-process memory broker cannot reach',
    );
    expect(() =>
      scenarioFrom({ pipeline: { broker: { type: 'redis-list' } }, variants: [{ name: 'in-memory', pipeline: { broker: { type: 'memory' }, processes: 'split' } }] }),
    ).toThrow(/test\.yaml \(config "in-memory"\): variants\[0\]\.pipeline\.processes: split runs the producer in a child process/);
  });

  it('the memory broker refuses to open one side of a stream', async () => {
    const broker = createMemoryBroker({ type: 'memory', read: 'from-index', window: 10 });
    await expect(broker.openStream('s', { role: 'consumer' })).rejects.toThrow('the memory broker lives in one process');
  });

  it('leaves processes unset for streambench to choose, and accepts single, and split with a Redis broker', () => {
    expect(firstOf(scenarioFrom({}).configs, 'configs').pipeline.processes).toBeUndefined();
    expect(firstOf(scenarioFrom({ pipeline: { processes: 'single' } }).configs, 'configs').pipeline.processes).toBe('single');
    expect(firstOf(scenarioFrom({ pipeline: { broker: { type: 'redis-stream' }, processes: 'split' } }).configs, 'configs').pipeline.processes).toBe('split');
  });
});
