/**
 * A lean browser client, the reference the field client is compared with: one decode per
 * event, duplicates dropped by sequence number, text appended as it arrives, and an
 * incremental render that lexes only what was appended since the last stable markdown
 * boundary (IncrementalMarkdown: a settled block, inside an open paragraph a settled run of
 * inline text, in a growing list only the last item's text, in a growing code line nothing),
 * with the tokens marked gives the whole text, so render cost stays flat however long the
 * answer grows, also when it has no line break. Under load it can do that work on a
 * sample of its renders only (ClientDeps.renderCostSampleEvery).
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
  // Tokens before the last stable boundary are kept; a render lexes what came after it.
  const markdown = new IncrementalMarkdown();
  // Under load the markdown work runs on a sample of renders (see ClientDeps.renderCostSampleEvery):
  // the text is lexed then, all that arrived since the last lexed render.
  const sampleEvery = Math.max(1, Math.floor(deps.renderCostSampleEvery ?? 1));
  let unlexedText = false;
  let rendersWithNewText = 0;

  return createRenderingClient(render, deps, {
    accept(event) {
      if (!appliedSeqs.add(event.seq)) return false; // already applied: nothing new to paint
      markdown.append(event.text);
      return true;
    },
    render(seqsSinceLastRender) {
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
        if (unlexedText) markdown.lex();
        unlexedText = false;
        renderMs = monotonicNowMs() - startedMs;
      }
      // Duplicates never reach this list, so every seq here is painted for the first time.
      return { firstPainted: seqsSinceLastRender, renderMs, costMeasured: measured };
    },
    text: () => markdown.fullText(),
  });
}
