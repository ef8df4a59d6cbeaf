/**
 * Counters (DESIGN.md §4): the additive totals a config or one stream keeps, what kind each
 * named counter is, and the per-token / per-stream counters computed from the totals. Pure.
 */

/**
 * How a named counter adds up over streams:
 * - `perToken`: a sum, reported as `<name>PerToken` (work the pipeline did per token sent);
 * - `perStream`: a sum, reported as `<name>PerStream` (client counters: long tasks, frames);
 * - `max`: a high-water mark, reported as the config's maximum under its own name;
 * - `level`: a state at the end (a cache's size), reported as the last value under its own name.
 */
export type CounterKind = 'perToken' | 'perStream' | 'max' | 'level';

/** Where a stream's named counters came from: the broker and serializer, or the client. */
export type CounterSource = 'pipeline' | 'client';

/**
 * The counters whose kind is not their source's default (a sum per token for pipeline
 * counters, per stream for client counters). A new high-water mark or level is declared here.
 */
export const COUNTER_KINDS: Readonly<Record<string, CounterKind>> = {
  readLagMaxItems: 'max',
  jsonCacheEntries: 'level',
  longTaskMaxMs: 'max',
  clockCalibrationErrorMaxMs: 'max',
  clockOffsetChangeMaxMs: 'max',
};

/** The kind of a named counter from `source` (see COUNTER_KINDS). */
export function counterKind(name: string, source: CounterSource = 'pipeline'): CounterKind {
  // hasOwn, not a plain lookup: a counter named like an Object method must not find one.
  return Object.hasOwn(COUNTER_KINDS, name) ? COUNTER_KINDS[name]! : source === 'client' ? 'perStream' : 'perToken';
}

/** Counts of an upstream server's streams (http sources), summed over streams. */
export type UpstreamTotals = {
  streams: number;
  malformedLines: number;
  reasoningTokens: number;
  usageStreams: number;
  usagePromptTokens: number;
  usageCompletionTokens: number;
  tokensFromUsage: number;
};

/** Upstream totals of no stream. */
export const emptyUpstreamTotals = (): UpstreamTotals => ({
  streams: 0,
  malformedLines: 0,
  reasoningTokens: 0,
  usageStreams: 0,
  usagePromptTokens: 0,
  usageCompletionTokens: 0,
  tokensFromUsage: 0,
});

/** The additive state that counters are computed from: a config's, or one stream's. */
export interface CounterTotals {
  sums: Map<string, number>;
  maxima: Map<string, number>;
  levels: Map<string, number>;
  upstream: UpstreamTotals;
  streams: number;
  tokens: number;
}

/** Marks a client counter's sum: reported per stream, not per token. */
export const CLIENT_SUM_PREFIX = 'client.';

/** Sums that have a counter of their own below; every other sum becomes `<name>PerToken`. */
const BUILT_IN_SUMS = new Set([
  'events',
  'bytes',
  'jsonStringify',
  'jsonParse',
  'cpuUs',
  'renders',
  'reconnects',
  'heartbeats',
  'contentEvents',
  'duplicateEvents',
  'missingMessages',
  'reorderedEvents',
]);

/** Counters per token or per stream, from a config's or one stream's totals. Pure. */
export function countersOf(totals: CounterTotals): Record<string, number> {
  const { sums, tokens, streams } = totals;
  const sum = (name: string) => sums.get(name) ?? 0;
  const perToken = (name: string) => (tokens > 0 ? sum(name) / tokens : 0);
  const perStream = (name: string) => (streams > 0 ? sum(name) / streams : 0);
  const counters: Record<string, number> = {
    tokensPerStream: streams > 0 ? tokens / streams : 0,
    eventsPerToken: perToken('events'),
    tokensPerContentEvent: sum('contentEvents') > 0 ? tokens / sum('contentEvents') : 0,
    bytesPerToken: perToken('bytes'),
    jsonOpsPerToken: tokens > 0 ? (sum('jsonStringify') + sum('jsonParse')) / tokens : 0,
    jsonStringifyPerToken: perToken('jsonStringify'),
    jsonParsePerToken: perToken('jsonParse'),
    cpuUsPerToken: perToken('cpuUs'),
    rendersPerStream: perStream('renders'),
    duplicateEventsPerStream: perStream('duplicateEvents'),
    missingMessagesPerStream: perStream('missingMessages'),
    reorderedEventsPerStream: perStream('reorderedEvents'),
    reconnectsPerStream: perStream('reconnects'),
    heartbeatsPerStream: perStream('heartbeats'),
  };
  for (const name of sums.keys()) {
    if (name.startsWith(CLIENT_SUM_PREFIX)) counters[`${name.slice(CLIENT_SUM_PREFIX.length)}PerStream`] = perStream(name);
    else if (!BUILT_IN_SUMS.has(name)) counters[`${name}PerToken`] = perToken(name);
  }
  Object.assign(counters, upstreamCounters(totals.upstream));
  for (const [name, value] of totals.maxima) counters[name] = value;
  for (const [name, value] of totals.levels) counters[name] = value;
  return counters;
}

/** Counters of the upstream server, only for sources that reported one. */
function upstreamCounters(totals: UpstreamTotals): Record<string, number> {
  if (totals.streams === 0) return {};
  const counters: Record<string, number> = {
    malformedLinesPerStream: totals.malformedLines / totals.streams,
    reasoningTokensPerStream: totals.reasoningTokens / totals.streams,
    // 1: every stream's token count is the server's usage; 0: every one is the tokenizer's.
    tokensFromUsageShare: totals.tokensFromUsage / totals.streams,
  };
  if (totals.usageStreams > 0) {
    // Averaged over the streams whose server sent usage.
    counters.usagePromptTokensPerStream = totals.usagePromptTokens / totals.usageStreams;
    counters.usageCompletionTokensPerStream = totals.usageCompletionTokens / totals.usageStreams;
  }
  return counters;
}
