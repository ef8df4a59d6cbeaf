/**
 * Combines the result documents of shard runs (`run --shard I/N` on N machines) into one, as
 * if one machine had run every stream: histograms merged, sums added, per-token counters
 * recomputed, every shard's context kept. Pure: documents in, a document out.
 */
import { configEnd, type ConfigResult, type ResultDocument } from '../result/resultSchema.js';
import { TargetMeasurements } from './targetMeasurements.js';
import { ConfigMeasurements } from './configMeasurements.js';
import { percentileList } from './streamDetails.js';

/** Why shard documents cannot be merged; the message says which file and what differs. */
export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/**
 * Merges shard documents (named by `labels` in messages) into one result document. Every shard
 * of the run must be there unless `allowMissing` (a merge of some shards measures part of the load).
 */
export function mergeShardResults(documents: readonly ResultDocument[], labels: readonly string[], options: { allowMissing?: boolean } = {}): ResultDocument {
  const [first] = documents;
  if (!first) throw new MergeError('give at least one shard result file');
  documents.forEach((document, index) => {
    if (!document.shard) throw new MergeError(`${labels[index]} is not a shard result (run it with --shard I/N)`);
    if (document.scenario.contentHash !== first.scenario.contentHash) {
      throw new MergeError(`${labels[index]} ran a different scenario file than ${labels[0]} (content hashes differ)`);
    }
    if (document.shard.count !== first.shard!.count) {
      throw new MergeError(`${labels[index]} is shard of ${document.shard.count}, ${labels[0]} of ${first.shard!.count}`);
    }
  });
  const seen = new Set<number>();
  documents.forEach((document, index) => {
    if (seen.has(document.shard!.index)) throw new MergeError(`${labels[index]} repeats shard ${document.shard!.index + 1}/${document.shard!.count}`);
    seen.add(document.shard!.index);
  });
  const count = first.shard!.count;
  const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !seen.has(index));
  if (missing.length > 0 && !options.allowMissing) {
    const names = missing.map((index) => `${index + 1}/${count}`).join(', ');
    throw new MergeError(
      `shard${missing.length === 1 ? '' : 's'} ${names} of the run ${missing.length === 1 ? 'is' : 'are'} missing: give every shard's result (--allow-partial merges these alone)`,
    );
  }

  const configs = first.configs.map((config) => mergeConfig(config.name, documents, labels));
  const { shard: _shard, ...rest } = first;
  return {
    ...rest,
    interrupted: documents.some((document) => document.interrupted),
    shards: documents.map((document) => ({
      runId: document.runId,
      shard: `${document.shard!.index + 1}/${document.shard!.count}`,
      context: document.context,
    })),
    configs,
  };
}

function mergeConfig(name: string, documents: readonly ResultDocument[], labels: readonly string[]): ConfigResult {
  const parts = documents.map((document, index) => {
    const config = document.configs.find((candidate) => candidate.name === name);
    if (!config) throw new MergeError(`${labels[index]} has no config "${name}"`);
    return config;
  });
  return mergeConfigParts(parts);
}

/**
 * Combines the results of one config run in parts at the same time (shards on machines,
 * worker threads) into one: histograms merged, sums added, per-token counters recomputed.
 * Each part must carry its snapshot; the first part's settings and timeline are kept.
 */
export function mergeConfigParts(parts: readonly ConfigResult[]): ConfigResult {
  const notCompleted = parts.find((part) => part.state !== 'completed');
  const measurements = new ConfigMeasurements();
  for (const part of parts) if (part.snapshot) measurements.mergeSnapshot(part.snapshot, part.iterations);
  const merged = measurements.iterations.length > 0 ? measurements.toMetrics(null) : null;
  const loads = parts.map((part) => part.load).filter((load) => load !== undefined);
  const [base] = parts;
  if (!base) throw new Error('mergeConfigParts needs at least one part');
  const timeline = parts.find((part) => part.timeline)?.timeline;
  // Completed only when every part completed; else as the first part that did not.
  const ended = configEnd(notCompleted?.state ?? 'completed', merged);
  // Assigning `ended` over it types state and metrics together; their keys keep the places set here.
  const config: ConfigResult = Object.assign(
    {
      name: base.name,
      state: ended.state,
      ...(notCompleted?.message && { message: notCompleted.message }),
      settings: base.settings,
      metrics: ended.metrics,
      iterations: measurements.iterations,
      ...(measurements.tokenLatencyDistribution().count > 0 && { tokenLatencyPercentilesMs: percentileList(measurements.tokenLatencyDistribution()) }),
      ...(timeline && { timeline }),
      ...(loads.length > 0 && {
        load: {
          mode: loads[0]!.mode,
          streamsStarted: sum(loads.map((load) => load!.streamsStarted)),
          streamsFailed: sum(loads.map((load) => load!.streamsFailed)),
          peakConcurrentStreams: sum(loads.map((load) => load!.peakConcurrentStreams ?? 0)),
          // Parts run at the same time: the whole run lasts as long as the longest.
          durationMs: Math.max(...loads.map((load) => load!.durationMs)),
          deliveredTokensPerSecond: sum(loads.map((load) => load!.deliveredTokensPerSecond)),
          completedStreamsPerSecond: sum(loads.map((load) => load!.completedStreamsPerSecond)),
          startDelayMs: measurements.startDelaySummary(),
          toolCpuShare: Math.max(...loads.map((load) => load!.toolCpuShare)),
          ...(loads[0]!.resources && { resources: loads[0]!.resources }),
        },
      }),
      ...(measurements.iterations.length > 0 && { snapshot: measurements.toSnapshot() }),
    },
    ended,
  );
  return mergeTargetParts(config, parts, measurements);
}

/**
 * Target mode: rebuilds the `target` block from every part's snapshot (per-stream figures,
 * histograms, raw Redis counts), decides the verdict again from the merged evidence, and adds
 * the target counters back to the merged metrics. What cannot be exact is said in `merged.notes`.
 */
function mergeTargetParts(config: ConfigResult, parts: readonly ConfigResult[], measurements: ConfigMeasurements): ConfigResult {
  const withTarget = parts.filter((part) => part.target);
  const first = withTarget[0]?.target;
  if (!first) return config;
  const notes: string[] = [];
  const snapshots = withTarget.map((part) => part.target!.snapshot).filter((snapshot) => snapshot !== undefined);
  if (snapshots.length < parts.length) {
    // Without every part's streams nothing can be recomputed: keep the first part's block, marked.
    const { snapshot: _snapshot, ...kept } = first;
    notes.push(
      `${parts.length - snapshots.length} of ${parts.length} shard results carry no target snapshot (a config that failed before measuring, or an older streambench): this block is the first shard's alone, not the merged run's`,
    );
    return { ...config, target: { ...kept, merged: { shards: parts.length, notes } } };
  }
  const target = new TargetMeasurements();
  for (const snapshot of snapshots) target.mergeSnapshot(snapshot);
  // Every shard starts an upstream of its own; equal URLs (a port reused, or the same port on two
  // machines) do not make it the same upstream.
  if (withTarget.length > 1)
    notes.push(
      `upstreamUrl and app are the first shard's (each shard ran its own upstream${first.app ? ' and app, logs: ' + withTarget.map((part) => part.target!.app?.log).join(', ') : ''})`,
    );
  if (snapshots.some((snapshot) => snapshot.redis)) {
    notes.push(
      "Redis counts are the sum of the shards' deltas: exact when each shard's app used a Redis of its own (or the shards ran one after another); shards that shared one Redis at the same time each counted the others' commands too",
    );
  }
  const merged = target.toResult({
    url: first.url,
    format: first.format,
    upstreamUrl: first.upstreamUrl,
    // An app that exited on its own in any shard is what the merged run must say.
    app: first.app && { ...first.app, exited: withTarget.map((part) => part.target!.app?.exited).find((exited) => exited) ?? null },
    thresholds: { delayThresholdMs: first.verdict.delayThresholdMs, bufferShare: first.verdict.bufferShare },
    addedLatency: measurements.tokenLatencyDistribution(),
    merged: { shards: parts.length, notes },
  });
  merged.snapshot = target.toSnapshot();
  if (config.metrics) Object.assign(config.metrics.counters, target.counters());
  return { ...config, target: merged };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
