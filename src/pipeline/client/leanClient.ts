/**
 * A lean browser client, the reference the field client is compared with: one decode per
 * event, duplicates dropped by sequence number, text appended as it arrives, and an
 * incremental render that lexes only what was appended since the last stable markdown
 * boundary (IncrementalMarkdown: a settled block, inside an open paragraph a settled run of
 * inline text, in a growing list only the last item's text, in a growing code line nothing),
 * with the tokens marked gives the whole text, so render cost stays flat however long the
 * answer grows, also when it has no line break. Under load only a sample of the streams
 * does that work (ClientDeps.measureRenderCost); the others keep the text and render at the
 * same times without it.
 *
 * It appends in arrival order: it relies on the delivery path preserving order (as a Redis
 * Stream read does) rather than sorting on every render.
 */
import { monotonicNowMs } from '../../clock.js';
import { SeenSeqs } from '../seenSeqs.js';
import { IncrementalMarkdown } from './incrementalMarkdown.js';
import { createRenderingClient } from './renderingClient.js';
import type { ClientDeps, RenderSettings, StreamClient } from './types.js';

/** Creates the lean client: one decode per event, dedupe by seq, incremental render. */
export function createLeanClient(render: RenderSettings, deps: ClientDeps): StreamClient {
  const appliedSeqs = new SeenSeqs();
  // Outside the render-cost sample (ClientDeps.measureRenderCost) the text is only kept: no markdown work.
  if (deps.measureRenderCost === false) {
    let text = '';
    return createRenderingClient(render, deps, {
      accept(event) {
        if (!appliedSeqs.add(event.seq)) return false; // already applied: nothing new to paint
        text += event.text;
        return true;
      },
      // Duplicates never reach this list, so every seq here is painted for the first time.
      render: (seqsSinceLastRender) => ({ firstPainted: seqsSinceLastRender, renderMs: 0, costMeasured: false }),
      text: () => text,
    });
  }
  // Tokens before the last stable boundary are kept; a render lexes what came after it.
  const markdown = new IncrementalMarkdown();
  return createRenderingClient(render, deps, {
    accept(event) {
      if (!appliedSeqs.add(event.seq)) return false;
      markdown.append(event.text);
      return true;
    },
    render(seqsSinceLastRender) {
      const startedMs = monotonicNowMs();
      // Nothing new (e.g. the final render on the status item): lex() returns at once, the painted tokens stand.
      markdown.lex();
      return { firstPainted: seqsSinceLastRender, renderMs: monotonicNowMs() - startedMs };
    },
    text: () => markdown.fullText(),
  });
}
