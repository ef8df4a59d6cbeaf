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
import { IncrementalMarkdown } from './incrementalMarkdown.js';
import { createRenderingClient } from './renderingClient.js';
import type { ClientDeps, RenderSettings, StreamClient } from './types.js';

/** Seqs below this are flagged in a dense array (a stream's messages; a relay's own numbering above it goes to a Set). */
const MAX_FLAGGED_SEQ = 1 << 20;

/** Creates the lean client: one decode per event, dedupe by seq, incremental render. */
export function createLeanClient(render: RenderSettings, deps: ClientDeps): StreamClient {
  // Seqs count up from 0: applied ones are flags in an array (a Set grew and rehashed per stream);
  // a seq that is not a small whole number (a foreign relay's) goes to the Set.
  const appliedFlags: boolean[] = [];
  const appliedOtherSeqs = new Set<number>();
  /** Marks `seq` applied; false when it already was. */
  const applyOnce = (seq: number): boolean => {
    if (Number.isInteger(seq) && seq >= 0 && seq < MAX_FLAGGED_SEQ) {
      while (appliedFlags.length <= seq) appliedFlags.push(false);
      if (appliedFlags[seq]) return false;
      appliedFlags[seq] = true;
      return true;
    }
    if (appliedOtherSeqs.has(seq)) return false;
    appliedOtherSeqs.add(seq);
    return true;
  };
  // Tokens before the last stable boundary are kept; a render lexes what came after it.
  const markdown = new IncrementalMarkdown();
  // Under load the markdown work runs on a sample of renders (see ClientDeps.renderCostSampleEvery):
  // the text is lexed then, all that arrived since the last lexed render.
  const sampleEvery = Math.max(1, Math.floor(deps.renderCostSampleEvery ?? 1));
  let unlexedText = false;
  let rendersWithNewText = 0;

  return createRenderingClient(render, deps, {
    accept(event) {
      if (!applyOnce(event.seq)) return false; // already applied: nothing new to paint
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
