/**
 * A small seeded pseudo-random generator (sfc32 seeded through splitmix32). Synthetic
 * streams must be identical for a seed on every machine and Node version, which
 * `Math.random()` cannot give.
 */

/** A deterministic stream of random numbers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /**
   * Fills `out` with the next `out.length` values of int(0, count - 1), in order: the same values
   * as that many int() calls, without a call and argument checks per value (the bootstrap's loop).
   */
  fillIndexes(out: Int32Array, count: number): void;
  /** Uniform integer in [min, maxInclusive]. */
  int(min: number, maxInclusive: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
}

const TWO_TO_32 = 4294967296;

/** murmur3's 32-bit finalizer: spreads every input bit over the output. */
function mix32(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Splits a safe integer seed into two 32-bit words, so seeds above 2^32 stay distinct. */
function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer, got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / TWO_TO_32) >>> 0];
}

/** Hashes a string (FNV-1a over UTF-16 code units) to 32 bits. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/** One sfc32 step on `words` (a, b, c, d, updated in place); returns the 32-bit output. */
function sfc32Step(words: [number, number, number, number]): number {
  const [a, b, c, d] = words;
  const t = (((a + b) | 0) + d) | 0;
  words[3] = (d + 1) | 0;
  words[0] = b ^ (b >>> 9);
  words[1] = (c + (c << 3)) | 0;
  words[2] = (((c << 21) | (c >>> 11)) + t) | 0;
  return t >>> 0;
}

/**
 * The four sfc32 state words (a, b, c, d) a generator seeded with `seed` starts from, once its
 * first outputs are discarded: createRandom's state, for a loop that steps sfc32 itself (the
 * bootstrap's WebAssembly loop).
 */
export function seededWords(seed: number): [number, number, number, number] {
  const [low, high] = seedWords(seed);
  // splitmix32 turns a possibly low-entropy seed (0, 1, 2...) into four well-mixed words.
  let splitState = mix32(low ^ mix32(high ^ 0x9e3779b9));
  const splitmix32 = (): number => {
    splitState = (splitState + 0x9e3779b9) | 0;
    return mix32(splitState);
  };
  const words: [number, number, number, number] = [splitmix32(), splitmix32(), splitmix32(), splitmix32()];
  // The reference sfc32 discards its first outputs so the state is fully mixed.
  for (let i = 0; i < 12; i++) sfc32Step(words);
  return words;
}

/** Creates a generator whose whole sequence is fixed by `seed` (a safe integer). */
export function createRandom(seed: number): Random {
  let [a, b, c, d] = seededWords(seed);

  const nextWord = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };

  let spareNormal: number | undefined;

  const random: Random = {
    next: () => nextWord() / TWO_TO_32,
    fillIndexes(out, count) {
      if (!Number.isInteger(count) || count < 1) throw new RangeError(`fillIndexes needs a whole count of at least 1, got ${count}`);
      // int(0, count - 1) is 0 + floor(next() × count). nextWord's step, on local copies of the
      // state: one loop without a call or a closure variable per value runs fast from the first
      // call on, before V8 optimizes it (the bootstrap of compare draws 10,000 per gate).
      let wordA = a;
      let wordB = b;
      let wordC = c;
      let wordD = d;
      for (let i = 0; i < out.length; i++) {
        const t = (((wordA + wordB) | 0) + wordD) | 0;
        wordD = (wordD + 1) | 0;
        wordA = wordB ^ (wordB >>> 9);
        wordB = (wordC + (wordC << 3)) | 0;
        wordC = (wordC << 21) | (wordC >>> 11);
        wordC = (wordC + t) | 0;
        out[i] = Math.floor(((t >>> 0) / TWO_TO_32) * count);
      }
      a = wordA;
      b = wordB;
      c = wordC;
      d = wordD;
    },
    int(min, maxInclusive) {
      if (!Number.isInteger(min) || !Number.isInteger(maxInclusive) || maxInclusive < min) {
        throw new RangeError(`int(min, maxInclusive) needs integers with min <= max, got ${min}, ${maxInclusive}`);
      }
      return min + Math.floor(random.next() * (maxInclusive - min + 1));
    },
    chance: (probability) => random.next() < probability,
    pick(items) {
      if (items.length === 0) throw new RangeError('pick() needs a non-empty array');
      // next() is in [0, 1), so the index is in range.
      return items[Math.floor(random.next() * items.length)]!;
    },
    normal() {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      // Box–Muller; 1 - next() is in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - random.next()));
      const angle = 2 * Math.PI * random.next();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
  return random;
}

/**
 * Derives an independent sub-seed from a seed and labels (e.g. `'text'`, streamIndex), so
 * each purpose gets its own sequence and changing one does not shift the others.
 */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  const [low, high] = seedWords(seed);
  let hash = mix32(low ^ mix32(high ^ 0x5bd1e995));
  for (const label of labels) {
    // Type-tagged so that the label 1 and the label '1' derive different seeds.
    const labelHash = hashString(typeof label === 'number' ? `#${label}` : `$${label}`);
    hash = mix32((hash ^ labelHash) + 0x9e3779b9);
  }
  return hash;
}
