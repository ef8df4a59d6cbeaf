/**
 * The bootstrap's resampling loop (stats/medianDraws.ts) as a small WebAssembly module, built
 * here from its instructions. compare runs 2,000 resamples for each of its ~10 statistical gates
 * once per process: JavaScript runs them in V8's interpreter for most of that time (V8 has not
 * optimized the loop yet), while WebAssembly is compiled to machine code before its first call.
 * The same draws and the same doubles as the JavaScript loop: sfc32 in 32-bit integer arithmetic,
 * each index floor(word / 2^32 × count) in float64, each median the same sum halved
 * (test/bootstrapDraws.test.ts checks both loops against each other).
 */
import type { DrawSamples } from './medianDraws.js';

const I32 = 0x7f;
const F64 = 0x7c;
const NO_RESULT = 0x40;

/** The opcodes used below (WebAssembly core specification, binary format). */
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f64Load: 0x2b,
  i32Store: 0x36,
  f64Store: 0x39,
  i32Const: 0x41,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32LeU: 0x4d,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  f64Floor: 0x9c,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  i32TruncF64U: 0xab,
  f64ConvertI32U: 0xb8,
} as const;

type Code = number[];

/** Unsigned LEB128. */
function unsigned(value: number): Code {
  const bytes: Code = [];
  let rest = value >>> 0;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128 of a 32-bit integer. */
function signed(value: number): Code {
  const bytes: Code = [];
  let rest = value | 0;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    if ((rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0)) return [...bytes, low];
    bytes.push(low | 0x80);
  }
}

const vector = (items: Code[]): Code => [...unsigned(items.length), ...items.flat()];
const section = (id: number, content: Code): Code => [id, ...unsigned(content.length), ...content];
const name = (text: string): Code => vector([...text].map((character) => [character.charCodeAt(0)]));

const get = (local: number): Code => [OP.localGet, ...unsigned(local)];
const set = (local: number): Code => [OP.localSet, ...unsigned(local)];
const tee = (local: number): Code => [OP.localTee, ...unsigned(local)];
const int = (value: number): Code => [OP.i32Const, ...signed(value)];
const double = (value: number): Code => [OP.f64Const, ...new Uint8Array(new Float64Array([value]).buffer)];
const loadInt: Code = [OP.i32Load, 2, 0];
const storeInt: Code = [OP.i32Store, 2, 0];
const loadDouble: Code = [OP.f64Load, 3, 0];
const storeDouble: Code = [OP.f64Store, 3, 0];
/** memory.fill (bulk memory): address, byte, length. */
const fillMemory: Code = [0xfc, 0x0b, 0x00];
/** Byte address of element `index` of the 4-byte array at the address in local `array`. */
const intAt = (array: number, index: Code): Code => [...index, ...int(2), OP.i32Shl, ...get(array), OP.i32Add];
/** Byte address of element `index` of the 8-byte array at the address in local `array`. */
const doubleAt = (array: number, index: Code): Code => [...index, ...int(3), OP.i32Shl, ...get(array), OP.i32Add];
/** `while (condition) body`. */
const whileLoop = (condition: Code, body: Code): Code => [OP.block, NO_RESULT, OP.loop, NO_RESULT, ...condition, OP.i32Eqz, OP.brIf, 1, ...body, OP.br, 0, OP.end, OP.end];
/** `local++`. */
const increment = (local: number): Code => [...get(local), ...int(1), OP.i32Add, ...set(local)];
/** `counts[ranks[index]]++`, the addresses in locals `counts` and `ranks`, the index in local `index`, local `address` scratch. */
const countRank = (counts: number, ranks: number, index: number, address: number): Code => [
  ...intAt(counts, [...intAt(ranks, get(index)), ...loadInt]),
  ...tee(address),
  ...get(address),
  ...loadInt,
  ...int(1),
  OP.i32Add,
  ...storeInt,
];

interface WasmFunction {
  params: number[];
  results: number[];
  locals: number[];
  body: Code;
}

/**
 * Function 0, median(counts, sorted, length): the median of a draw from how often it drew each
 * rank, walking the ranks up to the middle position(s). Locals: 3 seen, 4 rank, 5 middle, 6 the
 * low middle position, 7 the value there.
 */
const median: WasmFunction = {
  params: [I32, I32, I32],
  results: [F64],
  locals: [I32, I32, I32, I32, F64],
  // prettier-ignore
  body: [
    // middle = length >> 1; lowPosition = middle - (length is even)
    ...get(2), ...int(1), OP.i32ShrU, ...tee(5), ...get(2), ...int(1), OP.i32And, OP.i32Eqz, OP.i32Sub, ...set(6),
    ...whileLoop(
      [...get(3), ...intAt(0, get(4)), ...loadInt, OP.i32Add, ...get(6), OP.i32LeU],
      [...get(3), ...intAt(0, get(4)), ...loadInt, OP.i32Add, ...set(3), ...increment(4)],
    ),
    ...doubleAt(1, get(4)), ...loadDouble, ...set(7),
    ...whileLoop(
      [...get(3), ...intAt(0, get(4)), ...loadInt, OP.i32Add, ...get(5), OP.i32LeU],
      [...get(3), ...intAt(0, get(4)), ...loadInt, OP.i32Add, ...set(3), ...increment(4)],
    ),
    // odd: the middle value; even: the two middle values' sum halved
    ...get(2), ...int(1), OP.i32And,
    OP.if, F64, ...get(7), OP.else, ...get(7), ...doubleAt(1, get(4)), ...loadDouble, OP.f64Add, ...double(2), OP.f64Div, OP.end,
  ],
};

/** The parameters and locals of `draw`, by name. */
const L = {
  paired: 0,
  baseLength: 1,
  headLength: 2,
  resamples: 3,
  baseSorted: 4,
  headSorted: 5,
  baseRanks: 6,
  headRanks: 7,
  baseCounts: 8,
  headCounts: 9,
  differences: 10,
  a: 11,
  b: 12,
  c: 13,
  d: 14,
  resample: 15,
  draw: 16,
  index: 17,
  address: 18,
  word: 19,
} as const;

/**
 * One sfc32 step on the state words in locals a–d, leaving int(0, count - 1) of
 * sources/random.ts on the stack: inline, with the state in locals, as WebAssembly's baseline
 * compiler keeps locals in registers where a call or a global would go through memory.
 */
// prettier-ignore
const nextIndex = (count: number): Code => [
  ...get(L.a), ...get(L.b), OP.i32Add, ...get(L.d), OP.i32Add, ...set(L.word),
  ...get(L.d), ...int(1), OP.i32Add, ...set(L.d),
  ...get(L.b), ...get(L.b), ...int(9), OP.i32ShrU, OP.i32Xor, ...set(L.a),
  ...get(L.c), ...get(L.c), ...int(3), OP.i32Shl, OP.i32Add, ...set(L.b),
  ...get(L.c), ...int(21), OP.i32Rotl, ...get(L.word), OP.i32Add, ...set(L.c),
  ...get(L.word), OP.f64ConvertI32U, ...double(4294967296), OP.f64Div, ...get(count), OP.f64ConvertI32U, OP.f64Mul, OP.f64Floor, OP.i32TruncF64U,
];

/**
 * Function 1, exported as draw(paired, baseLength, headLength, resamples, then the byte addresses of
 * baseSorted, headSorted, baseRanks, headRanks, baseCounts, headCounts, differences, then the
 * state words a, b, c, d): fills differences with one difference of medians per resample.
 */
const draw: WasmFunction = {
  params: Array.from({ length: 15 }, () => I32),
  results: [],
  locals: [I32, I32, I32, I32, I32],
  // prettier-ignore
  body: [
    ...whileLoop([...get(L.resample), ...get(L.resamples), OP.i32LtU], [
      ...get(L.baseCounts), ...int(0), ...get(L.baseLength), ...int(2), OP.i32Shl, ...fillMemory,
      ...get(L.headCounts), ...int(0), ...get(L.headLength), ...int(2), OP.i32Shl, ...fillMemory,
      // base's draws (paired: one index per pair, counted on both sides), then head's when not paired
      ...int(0), ...set(L.draw),
      ...whileLoop([...get(L.draw), ...get(L.baseLength), OP.i32LtU], [
        ...nextIndex(L.baseLength), ...set(L.index),
        ...countRank(L.baseCounts, L.baseRanks, L.index, L.address),
        ...get(L.paired), OP.if, NO_RESULT, ...countRank(L.headCounts, L.headRanks, L.index, L.address), OP.end,
        ...increment(L.draw),
      ]),
      ...get(L.paired), OP.i32Eqz, OP.if, NO_RESULT,
      ...int(0), ...set(L.draw),
      ...whileLoop([...get(L.draw), ...get(L.headLength), OP.i32LtU], [
        ...nextIndex(L.headLength), ...set(L.index),
        ...countRank(L.headCounts, L.headRanks, L.index, L.address),
        ...increment(L.draw),
      ]),
      OP.end,
      // differences[resample] = median(head) - median(base)
      ...doubleAt(L.differences, get(L.resample)),
      ...get(L.headCounts), ...get(L.headSorted), ...get(L.headLength), OP.call, 0,
      ...get(L.baseCounts), ...get(L.baseSorted), ...get(L.baseLength), OP.call, 0,
      OP.f64Sub, ...storeDouble,
      ...increment(L.resample),
    ]),
  ],
};

/** The module's bytes: one memory and `draw` exported. */
function moduleBytes(): Uint8Array {
  const functions = [median, draw];
  const locals = (types: number[]): Code => vector(types.map((type) => [1, type]));
  const bodies = functions.map((fn) => [...locals(fn.locals), ...fn.body, OP.end]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(functions.map((fn) => [0x60, ...vector(fn.params.map((type) => [type])), ...vector(fn.results.map((type) => [type]))]))),
    ...section(3, vector(functions.map((_, index) => unsigned(index)))),
    ...section(5, vector([[0x00, 1]])),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('draw'), 0x00, 1],
      ]),
    ),
    ...section(10, vector(bodies.map((body) => [...unsigned(body.length), ...body]))),
  ]);
}

/** What is used of the WebAssembly global (not in this project's lib: ES2022 without the DOM). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
}

/** The instance's exports. */
interface Kernel {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  draw: (...values: number[]) => void;
}

let kernel: Kernel | null | undefined;

/** The instantiated module, or null where this Node has no WebAssembly (node --jitless). */
function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  kernel = api ? (new api.Instance(new api.Module(moduleBytes())).exports as Kernel) : null;
  return kernel;
}

/**
 * Fills `differences` as drawDifferences of medianDraws.ts does, for a generator whose state is
 * `words` (sfc32's a, b, c, d); false, having done nothing, where WebAssembly is unavailable.
 */
export function drawDifferencesWasm(differences: Float64Array, words: readonly [number, number, number, number], samples: DrawSamples): boolean {
  const loaded = loadKernel();
  if (loaded === null) return false;
  const { paired, baseSorted, headSorted, baseOrder, headOrder } = samples;
  const baseLength = baseOrder.length;
  const headLength = headOrder.length;
  // The arrays one after another: the doubles first, so they stay 8-byte aligned.
  const baseSortedAt = 0;
  const headSortedAt = baseSortedAt + 8 * baseLength;
  const differencesAt = headSortedAt + 8 * headLength;
  const baseRanksAt = differencesAt + 8 * differences.length;
  const headRanksAt = baseRanksAt + 4 * baseLength;
  const baseCountsAt = headRanksAt + 4 * headLength;
  const headCountsAt = baseCountsAt + 4 * baseLength;
  const bytes = headCountsAt + 4 * headLength;
  const { memory } = loaded;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  const buffer = memory.buffer;
  new Float64Array(buffer, baseSortedAt, baseLength).set(baseSorted);
  new Float64Array(buffer, headSortedAt, headLength).set(headSorted);
  // The rank of each sample (its place in sorted order), so a draw counts ranks directly.
  const baseRanks = new Int32Array(buffer, baseRanksAt, baseLength);
  const headRanks = new Int32Array(buffer, headRanksAt, headLength);
  for (let rank = 0; rank < baseLength; rank++) baseRanks[baseOrder[rank]!] = rank;
  for (let rank = 0; rank < headLength; rank++) headRanks[headOrder[rank]!] = rank;
  const [a, b, c, d] = words;
  loaded.draw(
    paired ? 1 : 0,
    baseLength,
    headLength,
    differences.length,
    baseSortedAt,
    headSortedAt,
    baseRanksAt,
    headRanksAt,
    baseCountsAt,
    headCountsAt,
    differencesAt,
    a,
    b,
    c,
    d,
  );
  differences.set(new Float64Array(buffer, differencesAt, differences.length));
  return true;
}
