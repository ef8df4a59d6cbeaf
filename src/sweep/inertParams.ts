/**
 * Swept fields that change nothing: `batch.size` when the batcher is off, a render interval when
 * every event renders, a read window when reads are not bounded. Sweeping one gives identical
 * points and a "recommendation" chosen on noise, so the sweep refuses it and names the variants
 * of the scenario where the field does matter. Pure.
 */
import type { PipelineSettings } from '../scenario/pipelineSchema.js';

/** Why `path` has no effect on `pipeline` (e.g. `batch.mode is none`), or null when it has one. */
export function inertReason(pipeline: PipelineSettings, path: string): string | null {
  const batchMode = pipeline.batch.mode;
  switch (path) {
    case 'batch.size':
    case 'batch.timeoutMs':
    case 'batch.merge':
      return batchMode === 'none' ? 'batch.mode is none (no batching)' : null;
    case 'batch.firstImmediate':
      return batchMode !== 'timer' ? `batch.mode is ${batchMode} (firstImmediate applies to timer batches only)` : null;
    case 'client.render.intervalMs':
      return pipeline.client.render.strategy === 'every' ? 'client.render.strategy is every (no interval)' : null;
    case 'broker.window': {
      const broker = pipeline.broker;
      const read = 'read' in broker ? broker.read : undefined;
      return read !== 'window' && read !== 'window-catchup' ? `broker reads are ${read ?? broker.type} (no bounded window)` : null;
    }
    default:
      return null;
  }
}

/**
 * For each swept pipeline path that is inert at every point: a message naming why and the
 * configs of the scenario where it would matter. Empty when every path changes something.
 */
export function inertParamProblems(
  paths: readonly string[],
  points: readonly PipelineSettings[],
  variants: readonly { name: string; pipeline: PipelineSettings }[],
  startName: string,
): string[] {
  const problems: string[] = [];
  for (const path of paths) {
    if (path.startsWith('load.')) continue;
    const reasons = points.map((pipeline) => inertReason(pipeline, path));
    if (reasons.some((reason) => reason === null)) continue;
    const matters = variants.filter((variant) => inertReason(variant.pipeline, path) === null).map((variant) => variant.name);
    const where =
      matters.length > 0
        ? `it matters for ${matters.length === 1 ? 'variant' : 'variants'} ${matters.join(', ')}: start from one with --variant ${matters[0]} (or variant: in the sweep: block)`
        : 'no variant of the scenario uses it either: sweep the field that turns it on too (e.g. --param batch.mode=timer)';
    problems.push(`--param ${path} changes nothing: in ${startName}, ${reasons[0]}, so every point would run the same pipeline; ${where}`);
  }
  return problems;
}
