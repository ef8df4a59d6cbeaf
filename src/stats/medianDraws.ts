/**
 * The bootstrap's resampling loop in JavaScript: each resample's difference of medians from
 * random indexes, counted instead of sorted. Where WebAssembly runs, medianDrawsWasm.ts does the
 * same with the same draws; this loop is the reference and the fallback (node --jitless).
 */
import type { Random } from '../sources/random.js';

/** The samples of one bootstrap, ready for drawing: each side's sorted values and the index of each of them. */
export interface DrawSamples {
  paired: boolean;
  baseSorted: Float64Array;
  headSorted: Float64Array;
  baseOrder: Int32Array;
  headOrder: Int32Array;
}

/** Random indexes drawn at a time, at most: a block's buffer stays small however many streams a run had. */
const BLOCK_INDEXES = 1 << 16;

/**
 * Fills `differences` with one difference of medians (head − base) per resample. The random
 * indexes come in blocks of whole resamples from one fillIndexes call, in the order random.int
 * per stream would give them (base's, then head's; one per pair when paired), and the whole
 * loop is one function without calls: V8 compiles it on the first compare while it runs (on-stack
 * replacement), where a call per resample and per draw ran interpreted for most of the
 * first gates (npm run bench:startup).
 */
export function drawDifferences(differences: Float64Array, random: Random, samples: DrawSamples): void {
  const { paired, baseSorted, headSorted, baseOrder, headOrder } = samples;
  const baseLength = baseOrder.length;
  const headLength = headOrder.length;
  // Indexes per resample: one per pair, or base's then head's.
  const perResample = paired ? baseLength : baseLength + headLength;
  const resamplesPerBlock = Math.max(1, Math.floor(BLOCK_INDEXES / perResample));
  const indexes = new Int32Array(Math.min(differences.length, resamplesPerBlock) * perResample);
  // How often each index was drawn; paired, one count serves both sides.
  const baseCounts = new Int32Array(baseLength);
  const headCounts = paired ? baseCounts : new Int32Array(headLength);
  const baseMiddle = baseLength >> 1;
  const headMiddle = headLength >> 1;
  // Even counts average the two middle ranks; odd ones take the middle rank twice.
  const baseLowPosition = baseLength % 2 === 1 ? baseMiddle : baseMiddle - 1;
  const headLowPosition = headLength % 2 === 1 ? headMiddle : headMiddle - 1;
  for (let blockStart = 0; blockStart < differences.length; blockStart += resamplesPerBlock) {
    const blockResamples = Math.min(resamplesPerBlock, differences.length - blockStart);
    const block = blockResamples * perResample === indexes.length ? indexes : indexes.subarray(0, blockResamples * perResample);
    if (paired || baseLength === headLength) {
      random.fillIndexes(block, baseLength);
    } else {
      for (let r = 0; r < blockResamples; r++) {
        random.fillIndexes(block.subarray(r * perResample, r * perResample + baseLength), baseLength);
        random.fillIndexes(block.subarray(r * perResample + baseLength, (r + 1) * perResample), headLength);
      }
    }
    for (let r = 0; r < blockResamples; r++) {
      const first = r * perResample;
      baseCounts.fill(0);
      if (!paired) headCounts.fill(0);
      for (let i = first; i < first + baseLength; i++) baseCounts[block[i]!]!++;
      if (!paired) for (let i = first + baseLength; i < first + perResample; i++) headCounts[block[i]!]!++;
      // The ranks at the middle positions of the draw in ascending order, walking the counts in value order.
      let seen = 0;
      let rank = 0;
      while (seen + baseCounts[baseOrder[rank]!]! <= baseLowPosition) seen += baseCounts[baseOrder[rank++]!]!;
      const baseLow = baseSorted[rank]!;
      while (seen + baseCounts[baseOrder[rank]!]! <= baseMiddle) seen += baseCounts[baseOrder[rank++]!]!;
      const baseMedian = baseLength % 2 === 1 ? baseLow : (baseLow + baseSorted[rank]!) / 2;
      seen = 0;
      rank = 0;
      while (seen + headCounts[headOrder[rank]!]! <= headLowPosition) seen += headCounts[headOrder[rank++]!]!;
      const headLow = headSorted[rank]!;
      while (seen + headCounts[headOrder[rank]!]! <= headMiddle) seen += headCounts[headOrder[rank++]!]!;
      const headMedian = headLength % 2 === 1 ? headLow : (headLow + headSorted[rank]!) / 2;
      differences[blockStart + r] = headMedian - baseMedian;
    }
  }
}
