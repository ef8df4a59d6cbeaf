/**
 * The part of the Node clients (field and lean) that does not depend on how they keep and
 * render the text: decode each event and report it, keep its content, ask the render
 * scheduler for a render, report each render with the messages it painted first, and settle
 * the last render at the end.
 */
import type { DecodedEvent } from '../types.js';
import { createRenderScheduler } from './renderScheduler.js';
import type { ClientDeps, RenderSettings, StreamClient } from './types.js';

/** What a render did: the messages it painted for the first time and its cost. */
export interface RenderOutcome {
  firstPainted: number[];
  renderMs: number;
  /** False for a render of a stream outside the cost sample (see ClientDeps.measureRenderCost); undefined: measured. */
  costMeasured?: boolean;
}

/** How one Node client keeps and renders the text. */
export interface TextModel {
  /** Extra work on the raw data of every event, after the decode (the field's other listeners). */
  onRawEvent?(data: string): void;
  /** Keeps one content event; false when it adds nothing (a dropped duplicate): no render is asked for. */
  accept(event: DecodedEvent): boolean;
  /** Renders now; `seqsSinceLastRender` are the accepted messages since the last render, in arrival order. */
  render(seqsSinceLastRender: number[]): RenderOutcome;
  /** The text shown. */
  text(): string;
}

/** Creates a Node client around `model`: the event, render and finish scaffolding both Node clients share. */
export function createRenderingClient(render: RenderSettings, deps: ClientDeps, model: TextModel): StreamClient {
  let seqsSinceLastRender: number[] = [];
  let renderCount = 0;

  const renderNow = (): void => {
    const seqs = seqsSinceLastRender;
    seqsSinceLastRender = [];
    let outcome: RenderOutcome;
    try {
      outcome = model.render(seqs);
    } catch (error) {
      // A library bug on one text (marked 18 throws on a task item holding a blockquote, "- [x] \n  > *\nword")
      // fails this stream with words that say so, not the run with a bare TypeError.
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`the client's markdown render (marked) threw on the stream's text (${model.text().length} characters): ${reason}`, { cause: error });
    }
    const { firstPainted, renderMs, costMeasured } = outcome;
    renderCount++;
    deps.observer.rendered(firstPainted, deps.clock.nowMs(), renderMs, costMeasured);
  };

  const scheduler = createRenderScheduler(render, deps.clock, renderNow);

  return {
    onEvent(data) {
      const event = deps.decoder.decode(data);
      model.onRawEvent?.(data);
      // Reported before any dedupe: the runner counts duplicates as delivered events.
      deps.observer.received(event, deps.clock.nowMs());
      if (!event.end) {
        if (!model.accept(event)) return;
        seqsSinceLastRender.push(event.seq);
      }
      // A status item is not content, but it still triggers the final render.
      scheduler.notify();
    },
    async finish() {
      try {
        await scheduler.settle();
      } finally {
        scheduler.dispose();
      }
    },
    text: () => model.text(),
    get renderCount() {
      return renderCount;
    },
  };
}
