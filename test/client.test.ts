import type * as Marked from 'marked';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createClient } from '../src/pipeline/client/createClient.js';
import { FIELD_EXTRA_PARSES_PER_EVENT } from '../src/pipeline/client/fieldClient.js';
import { createRenderScheduler, nextFrameBoundaryMs } from '../src/pipeline/client/renderScheduler.js';
import type { ClientSettings, RenderSettings, StreamClient } from '../src/pipeline/client/types.js';
import type { DecodedEvent, SerializerStream } from '../src/pipeline/types.js';
import { JsonCounter } from '../src/probes/jsonCounter.js';
import { firstOf, itemAt, lastOf } from './helpers/indexed.js';

// Every string the clients hand to the markdown lexer (the lean client's block lexing
// included), to check what each render lexes.
const lexed = vi.hoisted(() => ({ inputs: [] as string[] }));
vi.mock('marked', async (importOriginal) => {
  const actual = await importOriginal<typeof Marked>();
  class RecordingLexer extends actual.Lexer {}
  const blockTokens = RecordingLexer.prototype.blockTokens;
  RecordingLexer.prototype.blockTokens = function (this: InstanceType<typeof actual.Lexer>, src: string, ...rest: unknown[]) {
    lexed.inputs.push(src);
    return (blockTokens as (...args: unknown[]) => unknown).call(this, src, ...rest);
  } as typeof blockTokens;
  const inlineTokens = RecordingLexer.prototype.inlineTokens;
  RecordingLexer.prototype.inlineTokens = function (this: InstanceType<typeof actual.Lexer>, src: string, ...rest: unknown[]) {
    lexed.inputs.push(src);
    return (inlineTokens as (...args: unknown[]) => unknown).call(this, src, ...rest);
  } as typeof inlineTokens;
  return {
    ...actual,
    Lexer: RecordingLexer,
    lexer: (src: string, options?: Parameters<typeof actual.lexer>[1]) => {
      lexed.inputs.push(src);
      return actual.lexer(src, options);
    },
  };
});

/** A decoder for `{"seq":n,"text":"...","end":false}`: one counted parse per event. */
function fakeDecoder(json: JsonCounter): SerializerStream {
  const unused = (): never => {
    throw new Error('the client only decodes');
  };
  return { encode: unused, encodeEnd: unused, relay: unused, decode: (data) => json.parse<DecodedEvent>(data) };
}

const content = (seq: number, text: string): string => JSON.stringify({ seq, text, end: false });
const status = (seq: number): string => JSON.stringify({ seq, text: '', end: true });

interface Render {
  seqs: number[];
  atMs: number;
  renderMs: number;
}

function setup(settings: ClientSettings, measureRenderCost?: boolean) {
  const clock = new ManualClock();
  const json = new JsonCounter();
  const received: { seq: number; atMs: number }[] = [];
  const renders: Render[] = [];
  const measured: boolean[] = [];
  const client = createClient(settings, {
    measureRenderCost,
    clock,
    decoder: fakeDecoder(json),
    json,
    observer: {
      received: (event, atMs) => received.push({ seq: event.seq, atMs }),
      rendered: (seqs, atMs, renderMs, costMeasured) => {
        renders.push({ seqs, atMs, renderMs });
        measured.push(costMeasured !== false);
      },
    },
  });
  lexed.inputs = [];
  return { clock, json, client, received, renders, measured };
}

/** Moves the clock to `atMs` (firing due timers first, as a browser would) and delivers `data`. */
function deliverAt(clock: ManualClock, client: StreamClient, atMs: number, data: string): void {
  clock.advance(atMs - clock.nowMs());
  client.onEvent(data);
}

/** Whether `promise` has settled once pending microtasks and I/O callbacks have run. */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** A scheduler on a ManualClock that records the clock time of every render. */
function schedulerSetup(settings: RenderSettings) {
  const clock = new ManualClock();
  const renderTimes: number[] = [];
  const scheduler = createRenderScheduler(settings, clock, () => renderTimes.push(clock.nowMs()));
  const notifyAt = (atMs: number): void => {
    clock.advance(atMs - clock.nowMs());
    scheduler.notify();
  };
  return { clock, renderTimes, scheduler, notifyAt };
}

/** 0, 20, 40, ... up to and including `lastMs`. */
const every20Ms = (lastMs: number): number[] => Array.from({ length: lastMs / 20 + 1 }, (_, i) => i * 20);

describe('createRenderScheduler', () => {
  it('every: renders synchronously on each notify', () => {
    const { renderTimes, notifyAt } = schedulerSetup({ strategy: 'every' });
    notifyAt(0);
    expect(renderTimes).toEqual([0]);
    notifyAt(3);
    notifyAt(3);
    expect(renderTimes).toEqual([0, 3, 3]);
  });

  it('debounce: never fires while notifies come faster than the delay, then once, delayMs after the last', () => {
    const { clock, renderTimes, notifyAt } = schedulerSetup({ strategy: 'debounce', delayMs: 50 });
    for (const atMs of every20Ms(180)) {
      notifyAt(atMs);
      expect(renderTimes).toEqual([]);
    }
    clock.advance(49);
    expect(renderTimes).toEqual([]);
    clock.advance(1);
    expect(renderTimes).toEqual([230]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('throttle: leading render at once, then one trailing render per interval, at most one pending', () => {
    const { clock, renderTimes, notifyAt } = schedulerSetup({ strategy: 'throttle', intervalMs: 50 });
    for (const atMs of every20Ms(180)) {
      notifyAt(atMs);
      expect(clock.pendingTimers()).toBeLessThanOrEqual(1);
    }
    clock.advance(300 - clock.nowMs());
    expect(renderTimes).toEqual([0, 50, 100, 150, 200]);
    // After a pause longer than the interval the leading edge renders at once again.
    notifyAt(400);
    expect(renderTimes).toEqual([0, 50, 100, 150, 200, 400]);
    // Exactly one interval after the last render counts as "no render in the last intervalMs".
    notifyAt(450);
    expect(renderTimes).toEqual([0, 50, 100, 150, 200, 400, 450]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('frame: renders only on frame boundaries, once per frame however many notifies', () => {
    const frameMs = 16.7;
    const { clock, renderTimes, notifyAt } = schedulerSetup({ strategy: 'frame', frameMs });
    for (const atMs of [0, 5, 10, 20, 40, 41, 100]) notifyAt(atMs);
    clock.advance(200 - clock.nowMs());
    const frames = renderTimes.map((atMs) => atMs / frameMs);
    expect(frames).toHaveLength(4);
    frames.forEach((frame, i) => expect(frame).toBeCloseTo(itemAt([1, 2, 3, 6], i, 'frame boundaries'), 9));
  });

  it('frame: a notify at a frame boundary waits for the next frame, as requestAnimationFrame does', () => {
    const frameMs = 16.7;
    for (let frame = 0; frame <= 2000; frame++) {
      const boundary = frame * frameMs;
      expect(nextFrameBoundaryMs(boundary, frameMs)).toBe((frame + 1) * frameMs);
    }
    expect(nextFrameBoundaryMs(16.6, frameMs)).toBe(frameMs);
    expect(nextFrameBoundaryMs(16.8, frameMs)).toBe(2 * frameMs);
  });

  it('settle() resolves at once when nothing is pending', async () => {
    const { scheduler, notifyAt } = schedulerSetup({ strategy: 'throttle', intervalMs: 50 });
    expect(await hasSettled(scheduler.settle())).toBe(true);
    notifyAt(0); // leading edge: rendered synchronously, nothing pending
    expect(await hasSettled(scheduler.settle())).toBe(true);
  });

  it('settle() resolves only after a pending debounce fired, delayMs after the last notify', async () => {
    const { clock, renderTimes, scheduler, notifyAt } = schedulerSetup({ strategy: 'debounce', delayMs: 50 });
    notifyAt(0);
    const settled = scheduler.settle();
    expect(await hasSettled(settled)).toBe(false);
    notifyAt(30); // restarts the debounce: the render moves to 80
    clock.advance(49);
    expect(await hasSettled(settled)).toBe(false);
    expect(renderTimes).toEqual([]);
    clock.advance(1);
    expect(renderTimes).toEqual([80]);
    expect(await hasSettled(settled)).toBe(true);
  });

  it('dispose() cancels a pending render and releases settle()', async () => {
    const { clock, renderTimes, scheduler, notifyAt } = schedulerSetup({ strategy: 'frame', frameMs: 16.7 });
    notifyAt(0);
    const settled = scheduler.settle();
    scheduler.dispose();
    expect(await hasSettled(settled)).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    notifyAt(1);
    clock.advance(100);
    expect(renderTimes).toEqual([]);
  });

  it('a render that throws from a timer rejects settle() instead of escaping', async () => {
    const clock = new ManualClock();
    const scheduler = createRenderScheduler({ strategy: 'debounce', delayMs: 10 }, clock, () => {
      throw new Error('render failed');
    });
    scheduler.notify();
    clock.advance(10);
    await expect(scheduler.settle()).rejects.toThrow('render failed');
  });

  it.each<RenderSettings>([{ strategy: 'every' }, { strategy: 'throttle', intervalMs: 50 }])(
    '$strategy: a render that throws at once (no timer) rejects settle() instead of escaping the notify',
    async (settings) => {
      const clock = new ManualClock();
      const scheduler = createRenderScheduler(settings, clock, () => {
        throw new Error('render failed');
      });
      expect(() => scheduler.notify()).not.toThrow();
      await expect(scheduler.settle()).rejects.toThrow('render failed');
    },
  );

  it('frame: schedulers on one clock share one timer per frame and render at the boundaries each would alone', () => {
    const clock = new ManualClock();
    const frameMs = 16.7;
    const renders: { client: number; atMs: number }[] = [];
    const schedulers = Array.from({ length: 5 }, (_, client) => createRenderScheduler({ strategy: 'frame', frameMs }, clock, () => renders.push({ client, atMs: clock.nowMs() })));
    clock.advance(3);
    schedulers.forEach((scheduler) => scheduler.notify());
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(10);
    schedulers[3]!.notify(); // already requested: nothing more
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(4); // 17: past the first boundary
    expect(renders).toEqual([0, 1, 2, 3, 4].map((client) => ({ client, atMs: 16.7 })));
    expect(clock.pendingTimers()).toBe(0);
    // A frame length of its own keeps its own timer; a disposed scheduler leaves the frame to the others.
    const other = createRenderScheduler({ strategy: 'frame', frameMs: 10 }, clock, () => renders.push({ client: 9, atMs: clock.nowMs() }));
    schedulers[0]!.notify();
    schedulers[1]!.notify();
    other.notify();
    expect(clock.pendingTimers()).toBe(2);
    schedulers[0]!.dispose();
    expect(clock.pendingTimers()).toBe(2);
    schedulers[1]!.dispose(); // nobody waits for 33.4 any more: its timer goes
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(20);
    expect(renders.slice(5)).toEqual([{ client: 9, atMs: 20 }]);
  });

  it('frame: a render that throws rejects its own settle() and the other clients of the frame still render', async () => {
    const clock = new ManualClock();
    const rendered: number[] = [];
    const failing = createRenderScheduler({ strategy: 'frame', frameMs: 16.7 }, clock, () => {
      throw new Error('render failed');
    });
    const healthy = createRenderScheduler({ strategy: 'frame', frameMs: 16.7 }, clock, () => rendered.push(clock.nowMs()));
    failing.notify();
    healthy.notify();
    clock.advance(17);
    expect(rendered).toEqual([16.7]);
    await expect(failing.settle()).rejects.toThrow('render failed');
    await expect(healthy.settle()).resolves.toBeUndefined();
  });

  it('rejects a frame length no timer can honour, naming the option', () => {
    expect(() => createRenderScheduler({ strategy: 'frame', frameMs: 0 }, new ManualClock(), () => {})).toThrow(/render\.frameMs must be a finite number > 0 .*got 0.*16\.7/);
    expect(() => createRenderScheduler({ strategy: 'debounce', delayMs: Number.NaN }, new ManualClock(), () => {})).toThrow(/render\.delayMs/);
  });
});

describe('clients under each render strategy', () => {
  it('debounce 50 with events every 20 ms: no render while they come, one render 50 ms after the last', async () => {
    const { clock, client, received, renders } = setup({ type: 'field', render: { strategy: 'debounce', delayMs: 50 } });
    const times = every20Ms(180);
    times.forEach((atMs, seq) => {
      deliverAt(clock, client, atMs, content(seq, `t${seq} `));
      expect(client.renderCount).toBe(0);
    });
    clock.advance(49);
    expect(renders).toEqual([]);
    clock.advance(1);
    expect(renders.map(({ seqs, atMs }) => ({ seqs, atMs }))).toEqual([{ seqs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], atMs: 230 }]);
    // Staleness of the first token: it waited for the whole stream and then the delay.
    const streamSpanMs = lastOf(times, 'times') - firstOf(times, 'times');
    expect(firstOf(renders, 'renders').atMs - firstOf(received, 'received').atMs).toBe(streamSpanMs + 50);
    await client.finish();
    expect(client.renderCount).toBe(1);
  });

  it('throttle 50 with events every 20 ms: renders at 0, 50, 100, 150, 200 painting what came in between', async () => {
    const { clock, client, renders } = setup({ type: 'lean', render: { strategy: 'throttle', intervalMs: 50 } });
    every20Ms(180).forEach((atMs, seq) => deliverAt(clock, client, atMs, content(seq, `t${seq} `)));
    const finished = client.finish();
    clock.advance(50);
    await finished;
    expect(renders.map(({ seqs, atMs }) => ({ seqs, atMs }))).toEqual([
      { seqs: [0], atMs: 0 },
      { seqs: [1, 2], atMs: 50 },
      { seqs: [3, 4], atMs: 100 },
      { seqs: [5, 6, 7], atMs: 150 },
      { seqs: [8, 9], atMs: 200 },
    ]);
    expect(client.renderCount).toBe(5);
  });

  it('frame 16.7: renders on frame boundaries only', async () => {
    const { clock, client, renders } = setup({ type: 'lean', render: { strategy: 'frame', frameMs: 16.7 } });
    [0, 5, 10, 20].forEach((atMs, seq) => deliverAt(clock, client, atMs, content(seq, 'x')));
    const finished = client.finish();
    clock.advance(20);
    await finished;
    expect(renders.map(({ seqs }) => seqs)).toEqual([[0, 1, 2], [3]]);
    expect(firstOf(renders, 'renders').atMs).toBeCloseTo(16.7, 9);
    expect(itemAt(renders, 1, 'renders').atMs).toBeCloseTo(33.4, 9);
  });

  it('every: one render per event, at the time it arrives', async () => {
    const { clock, client, renders } = setup({ type: 'field', render: { strategy: 'every' } });
    [0, 7, 9].forEach((atMs, seq) => deliverAt(clock, client, atMs, content(seq, 'x')));
    deliverAt(clock, client, 12, status(3));
    await client.finish();
    expect(client.renderCount).toBe(4);
    expect(renders.map(({ seqs, atMs }) => ({ seqs, atMs }))).toEqual([
      { seqs: [0], atMs: 0 },
      { seqs: [1], atMs: 7 },
      { seqs: [2], atMs: 9 },
      { seqs: [], atMs: 12 }, // the status item paints nothing new but still renders
    ]);
    for (const { renderMs } of renders) expect(renderMs).toBeGreaterThanOrEqual(0);
  });
});

describe('a text marked cannot lex', () => {
  // marked 18.2 throws a TypeError on this text (a task item holding a blockquote): a model may write it.
  const throwsInMarked = '- [x] \n  > *\nword';

  it.each<ClientSettings>([
    { type: 'lean', render: { strategy: 'every' } },
    { type: 'field', render: { strategy: 'every' } },
    { type: 'lean', render: { strategy: 'frame', frameMs: 16.7 } },
  ])('$type client, $render.strategy: finish() rejects with words that name the render, and onEvent never throws', async (settings) => {
    const { clock, client } = setup(settings);
    expect(() => deliverAt(clock, client, 0, content(0, throwsInMarked))).not.toThrow();
    expect(() => deliverAt(clock, client, 10, status(1))).not.toThrow();
    clock.advance(20);
    await expect(client.finish()).rejects.toThrow(/the client's markdown render \(marked\) threw on the stream's text \(17 characters\): Cannot read properties/);
  });
});

describe('field client', () => {
  it('parses each event exactly decode() + 2 times', async () => {
    const decodeCounter = new JsonCounter();
    fakeDecoder(decodeCounter).decode(content(0, 'a'));
    const parsesPerDecode = decodeCounter.parseCalls;
    expect(parsesPerDecode).toBe(1);

    const { clock, client, json } = setup({ type: 'field', render: { strategy: 'every' } });
    const events = [content(0, 'a'), content(1, 'b'), content(1, 'b'), status(2)];
    events.forEach((data, i) => {
      const before = json.parseCalls;
      deliverAt(clock, client, i, data);
      expect(json.parseCalls - before).toBe(parsesPerDecode + 2);
    });
    expect(FIELD_EXTRA_PARSES_PER_EVENT).toBe(2);
    expect(json.stringifyCalls).toBe(0);
    await client.finish();
  });

  it('assembles text sorted by seq when events arrive out of order, lexing the full text on each render', async () => {
    const { clock, client } = setup({ type: 'field', render: { strategy: 'every' } });
    deliverAt(clock, client, 0, content(2, 'c'));
    deliverAt(clock, client, 1, content(0, 'a'));
    deliverAt(clock, client, 2, content(1, 'b'));
    await client.finish();
    expect(client.text()).toBe('abc');
    expect(lexed.inputs).toEqual(['c', 'ac', 'abc']);
  });

  it('keeps duplicates (no de-duplication) but reports each seq painted only once', async () => {
    const { clock, client, received, renders } = setup({ type: 'field', render: { strategy: 'every' } });
    deliverAt(clock, client, 0, content(0, 'a'));
    deliverAt(clock, client, 1, content(1, 'b'));
    deliverAt(clock, client, 2, content(1, 'b'));
    await client.finish();
    expect(client.text()).toBe('abb');
    expect(received.map(({ seq }) => seq)).toEqual([0, 1, 1]);
    expect(renders.map(({ seqs }) => seqs)).toEqual([[0], [1], []]);
  });
});

describe('lean client', () => {
  it('decodes once per event, drops a duplicate seq and reports every content seq painted exactly once', async () => {
    const { clock, client, json, received, renders } = setup({ type: 'lean', render: { strategy: 'every' } });
    const events = [content(0, 'a'), content(1, 'b'), content(1, 'b'), content(2, 'c'), status(3)];
    events.forEach((data, i) => deliverAt(clock, client, i, data));
    await client.finish();
    expect(json.parseCalls).toBe(events.length);
    expect(client.text()).toBe('abc');
    expect(received.map(({ seq }) => seq)).toEqual([0, 1, 1, 2, 3]);
    // The duplicate triggers no render; the status item triggers one with nothing new.
    expect(renders.map(({ seqs }) => seqs)).toEqual([[0], [1], [2], []]);
  });

  it('drops duplicates of seqs far past the first flags (the flags grow) and of a relay numbering of its own', async () => {
    const { clock, client, renders } = setup({ type: 'lean', render: { strategy: 'every' } });
    const seqs = [...Array.from({ length: 200 }, (_, seq) => seq), 5000, 3000, 70000, 2.5, -1];
    const events = seqs.flatMap((seq) => [content(seq, `${seq};`), content(seq, `${seq};`)]);
    events.forEach((data, i) => deliverAt(clock, client, i, data));
    await client.finish();
    expect(client.text()).toBe(seqs.map((seq) => `${seq};`).join(''));
    expect(renders.flatMap(({ seqs: painted }) => painted)).toEqual(seqs);
  });

  it('text equals the concatenation; each render lexes only the text after the last stable block boundary', async () => {
    const paragraphs = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} says something short.\n\n`);
    const fullText = paragraphs.join('');
    const chunks = fullText.match(/[\s\S]{1,7}/g) ?? [];

    const lean = setup({ type: 'lean', render: { strategy: 'every' } });
    chunks.forEach((chunk, seq) => deliverAt(lean.clock, lean.client, seq, content(seq, chunk)));
    await lean.client.finish();
    expect(lean.client.text()).toBe(fullText);
    expect(lean.renders.flatMap(({ seqs }) => seqs)).toEqual(chunks.map((_, seq) => seq));
    const longestParagraph = Math.max(...paragraphs.map((paragraph) => paragraph.length));
    expect(lexed.inputs.length).toBeGreaterThanOrEqual(chunks.length);
    // The boundary settles once the block after a blank line is followed by another: the open
    // paragraph and the one before it (plus a chunk) at most.
    expect(Math.max(...lexed.inputs.map((input) => input.length))).toBeLessThanOrEqual(2 * longestParagraph + 7);

    // The field client, for contrast, lexes everything received on every render.
    const field = setup({ type: 'field', render: { strategy: 'every' } });
    chunks.forEach((chunk, seq) => deliverAt(field.clock, field.client, seq, content(seq, chunk)));
    await field.client.finish();
    expect(lexed.inputs.at(-1)).toBe(fullText);
  });

  it('outside the render-cost sample: the text is kept exactly, nothing is lexed, every render is reported unmeasured at its time', async () => {
    const fullText = 'Intro.\n\n- one\n- two\n\n' + 'a long paragraph without a line break, '.repeat(20);
    const chunks = fullText.match(/[\s\S]{1,5}/g) ?? [];
    const events = [...chunks.map((chunk, seq) => content(seq, chunk)), content(3, 'dup'), status(chunks.length)];
    const unsampled = setup({ type: 'lean', render: { strategy: 'frame', frameMs: 16.7 } }, false);
    events.forEach((data, i) => deliverAt(unsampled.clock, unsampled.client, 10 * i, data));
    unsampled.clock.advance(20); // the last frame
    await unsampled.client.finish();
    expect(unsampled.client.text()).toBe(fullText);
    expect(lexed.inputs).toEqual([]);
    expect(unsampled.measured.every((measured) => !measured)).toBe(true);
    expect(unsampled.renders.every(({ renderMs }) => renderMs === 0)).toBe(true);

    // The same events in a sampled stream: the same renders at the same times, painting the same seqs, each measured.
    const sampled = setup({ type: 'lean', render: { strategy: 'frame', frameMs: 16.7 } }, true);
    events.forEach((data, i) => deliverAt(sampled.clock, sampled.client, 10 * i, data));
    sampled.clock.advance(20);
    await sampled.client.finish();
    expect(sampled.client.text()).toBe(fullText);
    expect(lexed.inputs.length).toBeGreaterThan(0);
    expect(sampled.measured.every(Boolean)).toBe(true);
    expect(sampled.renders.map(({ seqs, atMs }) => ({ seqs, atMs }))).toEqual(unsampled.renders.map(({ seqs, atMs }) => ({ seqs, atMs })));
    expect(sampled.client.renderCount).toBe(unsampled.client.renderCount);
  });

  it('a sampled stream lexes on every render: a line growing in an open paragraph lexes only its open words', async () => {
    const fullText = 'one long paragraph without a line break, '.repeat(40);
    const chunks = fullText.match(/[\s\S]{1,5}/g) ?? [];
    const lean = setup({ type: 'lean', render: { strategy: 'every' } }, true);
    chunks.forEach((chunk, seq) => deliverAt(lean.clock, lean.client, seq, content(seq, chunk)));
    await lean.client.finish();
    expect(lean.client.text()).toBe(fullText);
    expect(lean.measured).toEqual(Array.from({ length: chunks.length }, () => true));
    expect(lexed.inputs.length).toBeGreaterThanOrEqual(chunks.length);
    expect(Math.max(...lexed.inputs.map((input) => input.length))).toBeLessThanOrEqual(5 + 'paragraph '.length + 5);
  });

  it('never cuts inside a fenced code block, even at a blank line', async () => {
    const fullText = 'Intro.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n\nAfter the code.\n';
    const { clock, client } = setup({ type: 'lean', render: { strategy: 'every' } });
    (fullText.match(/[\s\S]{1,3}/g) ?? []).forEach((chunk, seq) => deliverAt(clock, client, seq, content(seq, chunk)));
    await client.finish();
    expect(client.text()).toBe(fullText);
    const withSecondLine = lexed.inputs.filter((input) => input.includes('const b'));
    expect(withSecondLine.length).toBeGreaterThan(0);
    for (const input of withSecondLine) expect(input).toContain('```js\nconst a = 1;\n\nconst b');
  });
});
