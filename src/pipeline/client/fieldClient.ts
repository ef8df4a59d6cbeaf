/**
 * The browser client as it runs in the field (DESIGN §2 step 7): an EventSource handler
 * that decodes each event, extra listeners that parse the same raw data again, every chunk
 * kept (no de-duplication), and renders that rebuild the whole text — sort all chunks by
 * sequence, join, lex the full markdown — so render cost grows with the answer.
 */
import { lexer } from 'marked';
import { monotonicNowMs } from '../../clock.js';
import { createRenderingClient } from './renderingClient.js';
import type { ClientDeps, RenderSettings, StreamClient } from './types.js';

/**
 * JSON.parse calls the field client's extra listeners make per event, on top of the
 * format's decode(). With the field format's decode (3 parses: event, content, metadata)
 * that is the "about five JSON.parse per event" seen in the field.
 */
export const FIELD_EXTRA_PARSES_PER_EVENT = 2;

/** One content event as the field client stores it. */
interface ReceivedChunk {
  seq: number;
  text: string;
}

/** Creates the field client: decode + 2 extra parses per event, full rebuild and lex per render. */
export function createFieldClient(render: RenderSettings, deps: ClientDeps): StreamClient {
  // Every content chunk in arrival order, duplicates included: the field client has no dedupe.
  const chunks: ReceivedChunk[] = [];
  const paintedSeqs = new Set<number>();

  // Array.prototype.sort is stable, so duplicates of one seq keep their arrival order.
  const assembleFullText = (): string =>
    [...chunks]
      .sort((a, b) => a.seq - b.seq)
      .map((chunk) => chunk.text)
      .join('');

  return createRenderingClient(render, deps, {
    onRawEvent(data) {
      // The field's other listeners (status watcher, message-list updater) each parse the
      // raw data again rather than share the decoded object; the results go unused here,
      // what the model keeps is their cost.
      for (let parse = 0; parse < FIELD_EXTRA_PARSES_PER_EVENT; parse++) deps.json.parse(data);
    },
    accept(event) {
      chunks.push({ seq: event.seq, text: event.text });
      return true;
    },
    render(seqsSinceLastRender) {
      const startedMs = monotonicNowMs();
      // The tokens are not kept: the field re-lexes everything on the next render anyway.
      lexer(assembleFullText());
      const renderMs = monotonicNowMs() - startedMs;

      const firstPainted: number[] = [];
      for (const seq of seqsSinceLastRender) {
        if (paintedSeqs.has(seq)) continue; // a duplicate repaints, it does not paint anew
        paintedSeqs.add(seq);
        firstPainted.push(seq);
      }
      return { firstPainted, renderMs };
    },
    text: assembleFullText,
  });
}
