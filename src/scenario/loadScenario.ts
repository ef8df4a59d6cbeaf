/**
 * Reads a scenario file (YAML or JSON), validates it, and resolves every variant into a
 * complete pipeline: defaults ← preset ← base pipeline ← variant.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type ResolvedSourceSettings, resolveSourceSettings } from '../sources/sourceSettings.js';
import type { LoadSettings } from '../load/loadSettings.js';
import { formatIssues } from './formatIssues.js';
import { parseYamlText } from './parseYamlText.js';
import { mergeSettings } from './mergeSettings.js';
import { type PipelineSettings, pipelineSchema } from './pipelineSchema.js';
import { DEFAULT_PIPELINE, type PresetName, PRESETS } from './presets.js';
import { ScenarioError } from './scenarioError.js';
import { scenarioSchema, type SweepInput } from './scenarioSchema.js';
import type { GateInput } from '../stats/gates.js';

/** One config: a named, complete pipeline, and how its streams are loaded. */
export interface ResolvedConfig {
  name: string;
  description: string | null;
  preset: PresetName | null;
  pipeline: PipelineSettings;
  /** Concurrent load; null runs the streams one after another. */
  load: LoadSettings | null;
}

/** A validated scenario with every config resolved. */
export interface Scenario {
  name: string;
  description: string;
  file: string | null;
  contentHash: string;
  seed: number;
  iterations: number;
  warmup: number;
  source: ResolvedSourceSettings;
  configs: ResolvedConfig[];
  /** The scenario's `gates:` as written (empty when none). */
  gates: GateInput[];
  /** Counters the scenario is about (its `columns:`), printed in a table of their own. */
  columns: string[];
  /** The scenario's `sweep:` block, or null. */
  sweep: SweepInput | null;
}

/** Reads and validates a scenario file; throws ScenarioError naming the file and field. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ScenarioError(`${path}: cannot read the scenario (${reason}); give a path to a .yaml or .json file, e.g. scenarios/default.yaml`);
  }
  return parseScenarioText(text, path);
}

/** Parses and validates scenario text; `where` names it in error messages. */
export function parseScenarioText(text: string, where: string): Scenario {
  let raw: unknown;
  try {
    raw = extname(where) === '.json' ? JSON.parse(text) : parseYamlText(text);
  } catch (error) {
    throw new ScenarioError(`${where}: not valid ${extname(where) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const contentHash = createHash('sha256').update(text).digest('hex');
  return resolveScenario(raw, where, contentHash);
}

/** Validates a scenario object and resolves its configs. */
export function resolveScenario(raw: unknown, where: string, contentHash: string): Scenario {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(`${where}: a scenario is a mapping with at least "name" and "source" (see docs/scenarios.md)`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(formatIssues(where, parsed.error.issues));
  const scenario = parsed.data;
  const basePipeline = (scenario.pipeline ?? {}) as Record<string, unknown>;
  const variants = scenario.variants ?? [{ name: 'base', description: undefined, pipeline: undefined }];

  const configs = variants.map((variant, index): ResolvedConfig => {
    const variantPipeline = (variant.pipeline ?? {}) as Record<string, unknown>;
    const preset = (variantPipeline.preset ?? basePipeline.preset ?? null) as PresetName | null;
    const merged = mergeSettings(
      DEFAULT_PIPELINE,
      preset ? PRESETS[preset] : undefined,
      withoutPreset(basePipeline),
      withoutPreset(variantPipeline),
    );
    const resolved = pipelineSchema.safeParse(merged);
    if (!resolved.success) {
      const prefix = scenario.variants ? ['variants', index, 'pipeline'] : ['pipeline'];
      throw new ScenarioError(formatIssues(`${where} (config "${variant.name}")`, resolved.error.issues, prefix));
    }
    const load = ('load' in variant ? variant.load : undefined) ?? scenario.load ?? null;
    return { name: variant.name, description: variant.description ?? null, preset, pipeline: resolved.data, load };
  });

  return {
    name: scenario.name,
    description: scenario.description ?? '',
    file: where,
    contentHash,
    seed: scenario.seed ?? 1,
    iterations: scenario.iterations ?? 5,
    warmup: scenario.warmup ?? 1,
    source: resolveSource(scenario.source, where),
    configs,
    gates: scenario.gates ?? [],
    sweep: scenario.sweep ?? null,
    columns: scenario.columns ?? [],
  };
}

/** The source's settings; its own ScenarioErrors (a replay trace that cannot be read) are named after the scenario file. */
function resolveSource(source: Parameters<typeof resolveSourceSettings>[0], where: string): ResolvedSourceSettings {
  try {
    return resolveSourceSettings(source);
  } catch (error) {
    if (error instanceof ScenarioError) throw new ScenarioError(`${where}: ${error.message}`);
    throw error;
  }
}

function withoutPreset(pipeline: Record<string, unknown>): Record<string, unknown> {
  const { preset: _preset, ...rest } = pipeline;
  return rest;
}

/** The scenario name a file would have if it has none of its own (for messages). */
export function scenarioNameFromPath(path: string): string {
  return basename(path, extname(path));
}
