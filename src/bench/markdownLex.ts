/**
 * `node dist/bench/markdownLex.js`: the lean client's markdown work, incremental
 * (IncrementalMarkdown, as the lean client lexes) against marked's lexer over the whole text
 * (as the field client lexes), on the synthetic streams the benchmarks send: the bench:floor
 * workload (200 streams of 150 tokens, one lex per 8 tokens as under load) and the lean
 * pipeline micro-benchmark's 20,000-token streams (one lex per 16 tokens). Alternates the two
 * in rounds and prints the median CPU time of each, the characters marked's lexers ran over per
 * character streamed, and whether every final token list equals marked's for the whole text.
 */
import { lexer } from 'marked';
import { FLOOR_SEED, floorScenario } from './floor/floorWorkload.js';
import { IncrementalMarkdown } from '../pipeline/client/incrementalMarkdown.js';
import { resolveScenario } from '../scenario/loadScenario.js';
import { planSyntheticStream } from '../sources/synthetic.js';
import type { ResolvedSyntheticSettings } from '../sources/syntheticSchema.js';

/** One workload: the streams' chunks and how many chunks arrive between two lexes. */
interface Workload {
  name: string;
  streams: string[][];
  chunksPerLex: number;
  /** Alternating rounds (whole-text lexing of the long streams takes ~13 s a round). */
  rounds: number;
}

/** The chunk texts of `count` synthetic streams of `settings` (plans `0…count-1` of `seed`). */
function streamsOf(settings: ResolvedSyntheticSettings, seed: number, count: number): string[][] {
  return Array.from({ length: count }, (_, index) => planSyntheticStream(settings, seed, index).chunks.map((chunk) => chunk.text));
}

/** CPU milliseconds (user + system) `work` takes. */
function cpuMs(work: () => void): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

const floorSource = floorScenario(200, 150).source as ResolvedSyntheticSettings;
const benchSource = resolveScenario({ name: 'bench', source: { type: 'synthetic', profile: 'zero-delay', tokens: 20_000 } }, 'bench', '').source as ResolvedSyntheticSettings;
const workloads: Workload[] = [
  { name: 'bench:floor streams (200 × 150 tokens, lex every 8)', streams: streamsOf(floorSource, FLOOR_SEED, 200), chunksPerLex: 8, rounds: 7 },
  { name: 'lean pipeline streams (4 × 20,000 tokens, lex every 16)', streams: streamsOf(benchSource, 1, 4), chunksPerLex: 16, rounds: 1 },
];

for (const workload of workloads) {
  let streamedChars = 0;
  let lexedChars = 0;
  let identical = true;
  const incremental = (): void => {
    streamedChars = 0;
    lexedChars = 0;
    for (const chunks of workload.streams) {
      const markdown = new IncrementalMarkdown();
      chunks.forEach((chunk, index) => {
        markdown.append(chunk);
        streamedChars += chunk.length;
        if ((index + 1) % workload.chunksPerLex === 0 || index === chunks.length - 1) {
          markdown.lex();
          lexedChars += markdown.lastLexedChars;
        }
      });
      if (JSON.stringify(markdown.tokens()) !== JSON.stringify([...lexer(markdown.fullText())])) identical = false;
    }
  };
  let wholeLexedChars = 0;
  const wholeText = (): void => {
    wholeLexedChars = 0;
    for (const chunks of workload.streams) {
      let text = '';
      chunks.forEach((chunk, index) => {
        text += chunk;
        if ((index + 1) % workload.chunksPerLex === 0 || index === chunks.length - 1) {
          lexer(text);
          wholeLexedChars += text.length;
        }
      });
    }
  };
  const incrementalMs: number[] = [];
  const wholeTextMs: number[] = [];
  for (let round = 0; round < workload.rounds; round++) {
    incrementalMs.push(cpuMs(incremental));
    wholeTextMs.push(cpuMs(wholeText));
  }
  const perChar = (chars: number) => (chars / streamedChars).toFixed(1);
  process.stdout.write(
    `${workload.name}: incremental ${median(incrementalMs).toFixed(0)} ms CPU, ${perChar(lexedChars)} chars lexed per char streamed; ` +
      `whole text ${median(wholeTextMs).toFixed(0)} ms, ${perChar(wholeLexedChars)} per char (medians of ${workload.rounds} alternating rounds); ` +
      `tokens ${identical ? 'identical to' : 'DIFFERENT from'} marked's for the whole text\n`,
  );
  if (!identical) process.exitCode = 1;
}
