/**
 * A lean browser client, the reference the field client is compared with: one decode per
 * event, duplicates dropped by sequence number, text appended as it arrives, and an
 * incremental render that lexes only the text after the last completed markdown block, so
 * render cost stays flat however long the answer grows. Under load it can do that work on a
 * sample of its renders only (ClientDeps.renderCostSampleEvery).
 *
 * It appends in arrival order: it relies on the delivery path preserving order (as a Redis
 * Stream read does) rather than sorting on every render.
 */
import { lexer, type Token } from 'marked';
import { monotonicNowMs } from '../../clock.js';
import { createRenderScheduler } from './renderScheduler.js';
import type { ClientDeps, RenderSettings, StreamClient } from './types.js';

/** A fence opener: up to 3 spaces, then ``` (info string without backticks) or ~~~. */
const FENCE_OPEN = /^ {0,3}(?:(`{3,})[^`]*|(~{3,}).*)$/;
/** A fence closer: up to 3 spaces, a run of fence characters, nothing else. */
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/**
 * Offset just past the last blank line of `text` that lies outside a fenced code block —
 * where the completed blocks end and no later text can change how they lex. 0 if there is
 * none. `text` must start outside a fence; only complete (newline-terminated) lines count,
 * since an unterminated last line may still grow.
 *
 * Approximate on purpose: constructs that span blank lines (loose lists, indented code)
 * are split there; what the model keeps is the cost profile of an incremental renderer.
 */
export function completedBlocksEnd(text: string): number {
  let end = 0;
  let lineStart = 0;
  let fence: { char: string; length: number } | null = null;
  for (;;) {
    const newline = text.indexOf('\n', lineStart);
    if (newline === -1) return end;
    const line = text.slice(lineStart, newline);
    lineStart = newline + 1;
    if (fence) {
      const close = FENCE_CLOSE.exec(line);
      if (close && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open) {
      const marker = open[1] ?? open[2];
      fence = { char: marker[0], length: marker.length };
      continue;
    }
    if (line.trim() === '') end = lineStart;
  }
}

/** Creates the lean client: one decode per event, dedupe by seq, incremental render. */
export function createLeanClient(render: RenderSettings, deps: ClientDeps): StreamClient {
  const appliedSeqs = new Set<number>();
  let seqsSinceLastRender: number[] = [];
  // The text is kept in two parts so a render never touches the completed part.
  let completedText = '';
  let openText = '';
  // Tokens of completed blocks are cached; only the open tail is lexed again.
  const completedTokens: Token[] = [];
  let openTokens: Token[] = [];
  let renderCount = 0;
  // Under load the markdown work runs on a sample of renders (see ClientDeps.renderCostSampleEvery):
  // the text is lexed then, all that arrived since the last lexed render.
  const sampleEvery = Math.max(1, Math.floor(deps.renderCostSampleEvery ?? 1));
  let unlexedText = false;
  let rendersWithNewText = 0;

  const relexOpenTail = (): void => {
    const boundary = completedBlocksEnd(openText);
    if (boundary > 0) {
      const justCompleted = openText.slice(0, boundary);
      completedTokens.push(...lexer(justCompleted));
      completedText += justCompleted;
      openText = openText.slice(boundary);
    }
    openTokens = openText === '' ? [] : lexer(openText);
  };

  const renderNow = (): void => {
    if (seqsSinceLastRender.length > 0) {
      unlexedText = true;
      rendersWithNewText++;
    }
    // Every render is measured unless sampling; a sampled one lexes all text since the last.
    const measured = sampleEvery === 1 || (unlexedText && rendersWithNewText % sampleEvery === 0);
    let renderMs = 0;
    if (measured) {
      const startedMs = monotonicNowMs();
      // Nothing new (e.g. the final render on the status item): the painted tokens stand.
      if (unlexedText) relexOpenTail();
      unlexedText = false;
      renderMs = monotonicNowMs() - startedMs;
    }

    // Duplicates never reach this list, so every seq here is painted for the first time.
    const firstPainted = seqsSinceLastRender;
    seqsSinceLastRender = [];
    renderCount++;
    deps.observer.rendered(firstPainted, deps.clock.nowMs(), renderMs, measured);
  };

  const scheduler = createRenderScheduler(render, deps.clock, renderNow);

  return {
    onEvent(data) {
      const event = deps.decoder.decode(data);
      // Reported before the dedupe: the runner counts duplicates as delivered events.
      deps.observer.received(event, deps.clock.nowMs());
      if (!event.end) {
        if (appliedSeqs.has(event.seq)) return; // already applied: nothing new to paint
        appliedSeqs.add(event.seq);
        openText += event.text;
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
    text: () => completedText + openText,
    get renderCount() {
      return renderCount;
    },
  };
}
