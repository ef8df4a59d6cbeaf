/**
 * `npm run bench:floor`: streambench against a hand-written floor. The yardstick relay
 * (yardstickRelay.ts) and streambench run the same workload — N streams at 50 tokens/s through
 * Redis and SSE — one after the other in the same run, each probe in a fresh process, at 100
 * and 300 streams and then along the same concurrency search. Prints each ratio on a line of
 * its own: CPU per delivered token, memory per stream (RSS slope 100→300) and the most
 * concurrent streams held on plan.
 *
 * Options: --tokens N (per stream, default 150), --max-streams N (search bound, default 1600),
 * --max-steps N (search levels per tool after the fixed ones, default 4), --rounds N (rounds of the 100 and 300 levels,
 * medians; default 1), --tries N (odd: probes a level gets at most, its verdict their majority; default 3),
 * --searches N (whole concurrency searches, each from scratch after the first; the median ratio and how many met
 * the target; default 1), --no-search, --redis URL (default REDIS_URL or
 * redis://127.0.0.1:6379), --json (the probes and each level's tries and verdict as JSON on stdout; text on stderr).
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HELD_TARGET_RATIO, heldSummary, levelVerdict, mostHeld, nextSearchLevel, type SearchStep } from './concurrencySearch.js';
import { floorSplitsByItself, heldPlan, planMiss, PLANNED_TPOT_MS, type ProbeResult } from './floorWorkload.js';
import { wholeNumberFlag } from '../benchOptions.js';

const TOOLS = ['yardstick', 'streambench'] as const;
type Tool = (typeof TOOLS)[number];
/** No probe may run longer than this (ms); a probe that does is killed and counts as missed. */
const PROBE_DEADLINE_MS = 90_000;

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '150' },
    'max-streams': { type: 'string', default: '1600' },
    'max-steps': { type: 'string', default: '4' },
    rounds: { type: 'string', default: '1' },
    tries: { type: 'string', default: '3' },
    searches: { type: 'string', default: '1' },
    search: { type: 'boolean', default: true },
    'no-search': { type: 'boolean', default: false },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    json: { type: 'boolean', default: false },
  },
});
const tokens = wholeNumberFlag('--tokens', values.tokens!);
const maxStreams = wholeNumberFlag('--max-streams', values['max-streams']!);
const maxSteps = wholeNumberFlag('--max-steps', values['max-steps']!);
const rounds = wholeNumberFlag('--rounds', values.rounds!);
const tries = wholeNumberFlag('--tries', values.tries!);
const searches = wholeNumberFlag('--searches', values.searches!);
if (tries % 2 === 0) {
  process.stderr.write(`bench:floor: --tries must be odd, so that a majority decides a level (got ${tries}); use 1, 3 or 5\n`);
  process.exit(2);
}
const search = values.search && !values['no-search'];
const say = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

const probeScript = fileURLToPath(new URL('./probeChild.js', import.meta.url));
const cores = availableParallelism();

/** What `--pipeline` pins for a probe in one process (the CPU and memory rows: the yardstick is one process). */
const ONE_PROCESS = JSON.stringify({ processes: 'single' });

/** Runs one probe in a child process and returns what it printed; `oneProcess`: streambench pinned to one process. */
function probe(tool: Tool, streams: number, oneProcess: boolean): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const pin = oneProcess && tool === 'streambench' ? ['--pipeline', ONE_PROCESS] : [];
    const child = spawn(process.execPath, [probeScript, tool, String(streams), String(tokens), values.redis!, ...pin], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), PROBE_DEADLINE_MS);
    child.on('close', (code) => {
      clearTimeout(deadline);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ProbeResult);
      } catch {
        reject(new Error(`${tool} at ${streams} streams ended with code ${code} without a result: ${stderr.trim().slice(0, 500)}`));
      }
    });
  });
}

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const describe = (result: ProbeResult) =>
  `${result.tool.padEnd(11)} ${String(result.streams).padStart(5)} streams${result.threads > 1 ? ` (${result.threads} worker threads)` : ''}${result.split ? ' (producer in a child process)' : ''}: ${fmt(result.cpuUsPerToken)} µs CPU/token, ${result.cpuCores.toFixed(2)} cores, ` +
  `RSS peak ${fmt(result.rssPeakMB)} MB, TPOT p50 ${result.tpotP50Ms?.toFixed(1) ?? '–'} ms, source lag p99 ${result.sourceLagP99Ms?.toFixed(0) ?? '–'} ms, ` +
  `loop delay p99 ${result.eventLoopDelayP99Ms?.toFixed(0) ?? '–'} ms, ` +
  `${result.failedStreams} failed — ${heldPlan(result) ? 'on plan' : `MISSED the plan (${planMiss(result)})`}`;

const [load1 = 0] = loadavg(); // loadavg() always has three entries (zeros on Windows)
say(`bench:floor — ${tokens}-token streams at ${1000 / PLANNED_TPOT_MS} tokens/s through Redis and SSE; each probe a fresh process, the yardstick and streambench side by side`);
say(
  `machine: ${cores} cores, load average ${load1.toFixed(1)} at the start${load1 > cores * 0.5 ? ' — a busy machine: absolute figures move, the side-by-side ratios are what to read' : ''}`,
);

say(
  process.env.SB_FLOOR_YARDSTICK_PIPELINED === '1'
    ? "yardstick writes: pipelined (SB_FLOOR_YARDSTICK_PIPELINED=1), while streambench's `write: eval` producer awaits each EVAL: not the same work"
    : "yardstick writes: each EVAL awaited, as streambench's `write: eval` producer does (SB_FLOOR_YARDSTICK_PIPELINED=1 pipelines them)",
);
say(
  'CPU and memory rows: streambench in one process, as the yardstick is; the search for the most streams held: streambench as it chooses ' +
    '(a load that needs more than one thread goes over worker threads where the cores carry them, else, on 2 cores, with its producer side in a child process)',
);

const probes: ProbeResult[] = [];
/** Per tool, whether each probe at a level held the plan, in the order tried (the current search's: each search starts afresh). */
let outcomes: Record<Tool, Map<number, boolean[]>> = { yardstick: new Map(), streambench: new Map() };
const outcomesAt = (tool: Tool, streams: number): boolean[] => outcomes[tool].get(streams) ?? [];
/** The levels a tool's tries have decided, as search steps. */
const decidedSteps = (tool: Tool): SearchStep[] =>
  [...outcomes[tool]].flatMap(([streams, onPlan]) => {
    const verdict = levelVerdict(onPlan, tries);
    return verdict === null ? [] : [{ streams, held: verdict }];
  });
/**
 * Runs a probe; `oneProcess` pins streambench to one process (the CPU and memory rows). Its
 * outcome counts in the search unless the pin changed what streambench would run by itself at
 * that level (a split producer side: the search compares what each tool holds as it chooses).
 */
const run = async (tool: Tool, streams: number, oneProcess = false): Promise<ProbeResult> => {
  let result: ProbeResult;
  try {
    result = await probe(tool, streams, oneProcess);
  } catch (error) {
    result = {
      tool,
      streams,
      failedStreams: streams,
      failures: [(error as Error).message],
      deliveredTokens: 0,
      durationMs: 0,
      cpuUsPerToken: 0,
      cpuCores: 0,
      rssBeforeMB: 0,
      rssPeakMB: 0,
      tpotP50Ms: null,
      sourceLagP99Ms: null,
      eventLoopDelayP99Ms: null,
      threads: 1,
      split: false,
      warnings: [],
    };
  }
  probes.push(result);
  const pinChangedIt = oneProcess && tool === 'streambench' && floorSplitsByItself(streams, tokens, cores);
  if (!pinChangedIt) outcomes[tool].set(streams, [...outcomesAt(tool, streams), heldPlan(result)]);
  say(describe(result));
  return result;
};
/** Pass `pass` runs the tools in this order: which goes first alternates, so neither always runs in the other's wake (its sockets closing, its keys deleted). */
const inTurn = <T>(items: readonly T[], pass: number): T[] => (pass % 2 === 0 ? [...items] : [...items].reverse());
/** Probes each (tool, level) again, the tools alternating, until a majority of tries decides it; says the verdict of a level that took more than one. */
const settle = async (levels: ReadonlyArray<readonly [Tool, number]>, firstPass = 0): Promise<void> => {
  for (let pass = firstPass; ; pass++) {
    const undecided = levels.filter(([tool, streams]) => levelVerdict(outcomesAt(tool, streams), tries) === null);
    if (undecided.length === 0) break;
    for (const [tool, streams] of inTurn(undecided, pass)) await run(tool, streams);
  }
  for (const [tool, streams] of levels) {
    const onPlan = outcomesAt(tool, streams);
    if (onPlan.length > 1)
      say(`  → ${tool} at ${streams} streams: ${levelVerdict(onPlan, tries) ? 'held' : 'missed'} (on plan in ${onPlan.filter(Boolean).length} of ${onPlan.length} tries)`);
  }
};

// The two fixed levels (each round: both tools back to back, the first one alternating), then the search.
const FIXED_LEVELS = [100, 300] as const;
const fixedRuns: Record<(typeof FIXED_LEVELS)[number], Record<Tool, ProbeResult[]>> = { 100: { yardstick: [], streambench: [] }, 300: { yardstick: [], streambench: [] } };
for (let round = 0; round < rounds; round++) {
  for (const streams of FIXED_LEVELS) {
    for (const tool of inTurn(TOOLS, round)) fixedRuns[streams][tool].push(await run(tool, streams, true));
  }
}
/** The round whose CPU per token is the median, per tool and level (its other figures come along). */
const medianRun = (results: ProbeResult[]): ProbeResult => {
  const median = [...results].sort((a, b) => a.cpuUsPerToken - b.cpuUsPerToken)[Math.floor(results.length / 2)];
  if (!median) throw new Error('bench:floor: no round ran (--rounds must be at least 1)');
  return median;
};
const fixed = {
  100: { yardstick: medianRun(fixedRuns[100].yardstick), streambench: medianRun(fixedRuns[100].streambench) },
  300: { yardstick: medianRun(fixedRuns[300].yardstick), streambench: medianRun(fixedRuns[300].streambench) },
};
const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
/** What one concurrency search found: the most streams each tool held, streambench's probe there, and every level's tries. */
interface SearchOutcome {
  held: Record<Tool, number | null>;
  /** Whether a tool held every level it tried (its limit is above --max-streams). */
  heldEverywhere: Record<Tool, boolean>;
  heldProbe: ProbeResult | undefined;
  levels: Record<Tool, { streams: number; tries: boolean[]; held: boolean | null }[]>;
}
/** Each level a tool tried in the current search: whether each try held, and the verdict (null: undecided, as a --no-search fixed level may stay). */
const levels = (tool: Tool) => [...outcomes[tool]].map(([streams, onPlan]) => ({ streams, tries: onPlan, held: levelVerdict(onPlan, tries) }));
const searchOutcomes: SearchOutcome[] = [];
if (search) {
  for (let searchIndex = 0; searchIndex < searches; searchIndex++) {
    const probesBefore = probes.length;
    if (searchIndex > 0) {
      // A later search starts from scratch: its 100 and 300 levels are probed again, as the tools choose.
      outcomes = { yardstick: new Map(), streambench: new Map() };
      say(`search ${searchIndex + 1} of ${searches}:`);
    }
    // The fixed levels count as levels already decided; --max-steps bounds the search's own.
    await settle(
      FIXED_LEVELS.flatMap((streams) => TOOLS.map((tool) => [tool, streams] as const)),
      searchIndex === 0 ? rounds : searchIndex,
    );
    const bounds = { maxStreams, resolution: 50, maxSteps: maxSteps + FIXED_LEVELS.length };
    for (;;) {
      const next = TOOLS.flatMap((tool) => {
        const level = nextSearchLevel(decidedSteps(tool), bounds);
        return level === null ? [] : [[tool, level] as const];
      });
      if (next.length === 0) break;
      await settle(next);
    }
    const steps = { yardstick: decidedSteps('yardstick'), streambench: decidedSteps('streambench') };
    const held = { yardstick: mostHeld(steps.yardstick), streambench: mostHeld(steps.streambench) };
    // The first search's fixed levels may have been decided by pinned probes from before it: look at all of them then.
    const searchProbes = searchIndex === 0 ? probes : probes.slice(probesBefore);
    searchOutcomes.push({
      held,
      heldEverywhere: { yardstick: steps.yardstick.every((step) => step.held), streambench: steps.streambench.every((step) => step.held) },
      heldProbe: searchProbes.find((result) => result.tool === 'streambench' && result.streams === held.streambench && heldPlan(result)),
      levels: { yardstick: levels('yardstick'), streambench: levels('streambench') },
    });
  }
}

say('');
/** Printed when streambench spread a load over worker threads and the yardstick (one thread) did not: the ratio is per machine. */
const threadsNote = (threads: number) =>
  `streambench spread this load over ${threads} worker threads by itself (load.workers unset), the yardstick ran on one thread: a per-machine comparison on ${cores} cores`;
/** Printed when the most streams streambench held ran with its producer side in a child process (its own choice). */
const splitNote = `streambench ran its producer side in a child process by itself (pipeline.processes unset), the yardstick in one process: a per-machine comparison on ${cores} cores`;
const ratio = (value: number, floor: number) => (floor > 0 ? `${(value / floor).toFixed(2)}×` : 'n/a');
for (const streams of FIXED_LEVELS) {
  const ours = fixed[streams].streambench;
  const floor = fixed[streams].yardstick;
  const caveat = [ours, floor].filter((result) => !heldPlan(result)).map((result) => `${result.tool} missed the plan: ${planMiss(result)}`);
  if (ours.threads > 1) caveat.push(threadsNote(ours.threads));
  say(
    `CPU per delivered token, ${streams} streams: ${ratio(ours.cpuUsPerToken, floor.cpuUsPerToken)} the floor ` +
      `(streambench ${fmt(ours.cpuUsPerToken)} µs, yardstick ${fmt(floor.cpuUsPerToken)} µs; target ≤ 1.2×)${caveat.length > 0 ? ` — ${caveat.join('; ')}` : ''}`,
  );
}
const slope = (tool: Tool) => (medianOf(fixedRuns[300][tool].map((run) => run.rssPeakMB)) - medianOf(fixedRuns[100][tool].map((run) => run.rssPeakMB))) / 200;
// A slope between a one-thread probe and a spread one holds the extra threads' own heaps (about
// 170 MB for a second worker), not memory per stream: no ratio is drawn from it.
const threadsDiffer = fixed[100].streambench.threads !== fixed[300].streambench.threads;
say(
  `Memory per stream (RSS slope 100→300): ${threadsDiffer ? 'n/a (not like with like)' : ratio(slope('streambench'), slope('yardstick'))} the floor ` +
    `(streambench ${slope('streambench').toFixed(2)} MB, yardstick ${slope('yardstick').toFixed(2)} MB; target ≤ 1.5×)${
      threadsDiffer
        ? ` — streambench ran 100 streams on ${fixed[100].streambench.threads} thread(s) and 300 on ${fixed[300].streambench.threads} (spread by itself on ${cores} cores): its slope includes the extra threads' own memory, so it cannot be compared per stream`
        : ''
    }`,
);
const rule = tries > 1 ? `; a level held when ${Math.floor(tries / 2) + 1} of at most ${tries} tries held` : '; one try per level';
/** streambench's held level over the yardstick's (0 when streambench held none); null when the yardstick held none. */
const heldRatio = ({ held }: SearchOutcome) => (held.yardstick !== null && held.yardstick > 0 ? (held.streambench ?? 0) / held.yardstick : null);
for (const [index, outcome] of searchOutcomes.entries()) {
  const { held, heldProbe } = outcome;
  const bound = (tool: Tool) => (outcome.heldEverywhere[tool] ? ` (held at every level tried, up to --max-streams ${maxStreams})` : '');
  const threads = heldProbe && heldProbe.threads > 1 ? ` — ${threadsNote(heldProbe.threads)}` : heldProbe?.split ? ` — ${splitNote}` : '';
  const which = searches > 1 ? `, search ${index + 1} of ${searches}` : '';
  say(
    `Most concurrent streams held on plan${which}: ${held.streambench !== null && held.yardstick !== null ? ratio(held.streambench, held.yardstick) : 'n/a'} the floor ` +
      `(streambench ${held.streambench ?? 'none'}${bound('streambench')}, yardstick ${held.yardstick ?? 'none'}${bound('yardstick')}${rule}; target ≥ ${HELD_TARGET_RATIO}×)${threads}`,
  );
}
if (searchOutcomes.length > 1) say(heldSummary(searchOutcomes.map(heldRatio)));
if (values.json)
  process.stdout.write(
    `${JSON.stringify(
      {
        cores,
        loadAverageAtStart: load1,
        tokens,
        tries,
        probes,
        // The first search's levels (as before --searches), and every search's.
        levels: searchOutcomes[0]?.levels ?? { yardstick: levels('yardstick'), streambench: levels('streambench') },
        searches: searchOutcomes.map(({ held, levels }) => ({ held, levels })),
      },
      null,
      2,
    )}\n`,
  );
