/**
 * Reads a scenario file (YAML or JSON), validates it, and resolves every variant into a
 * complete pipeline: defaults ← preset ← base pipeline ← variant.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { SCENARIO_FILE_MAX_BYTES, SCENARIO_MAX_NODES, tooLarge } from '../input/inputLimits.js';
import { extname } from 'node:path';
import { type ResolvedSourceSettings, resolveSourceSettings } from '../sources/sourceSettings.js';
import type { LoadSettings } from './loadSettings.js';
import { formatIssues } from '../input/formatIssues.js';
import { parseYamlText } from './parseYamlText.js';
import { mergeSettings } from './mergeSettings.js';
import { type PipelineSettings, pipelineSchema } from './pipelineSchema.js';
import { DEFAULT_PIPELINE, type PresetName, PRESETS } from './presets.js';
import { ScenarioError } from '../input/scenarioError.js';
import { scenarioSchema, type SweepInput } from './scenarioSchema.js';
import type { GateInput } from '../stats/gates.js';
import type { TargetSettings } from './targetSchema.js';

/** One config: a named, complete pipeline, and how its streams are loaded. */
export interface ResolvedConfig {
  name: string;
  description: string | null;
  preset: PresetName | null;
  pipeline: PipelineSettings;
  /** Concurrent load; null runs the streams one after another. */
  load: LoadSettings | null;
  /** Target mode: the user's app this config measures (its pipeline is then unused); null for built pipelines. */
  target?: TargetSettings | null;
}

/** A validated scenario with every config resolved. */
export interface Scenario {
  name: string;
  description: string;
  file: string | null;
  contentHash: string;
  seed: number;
  /** Measured streams per config (the scenario's `streams`, formerly `iterations`). */
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
  return parseScenarioText(await readScenarioText(path), path);
}

/**
 * Reads a scenario file's text: a regular file (a device such as /dev/zero never ends) of at
 * most SCENARIO_FILE_MAX_BYTES, checked before reading; a ScenarioError otherwise.
 */
export async function readScenarioText(path: string): Promise<string> {
  try {
    const entry = await stat(path);
    if (!entry.isFile()) throw new ScenarioError(`${path}: not a regular file; give a path to a .yaml or .json file, e.g. scenarios/default.yaml`);
    if (entry.size > SCENARIO_FILE_MAX_BYTES) {
      throw new ScenarioError(
        `${path}: ${entry.size.toLocaleString('en-US')} bytes; a scenario may have ${tooLarge('bytes', SCENARIO_FILE_MAX_BYTES, 'real ones have a few kB, and parsing costs ~40 bytes of memory per byte')}`,
      );
    }
    const text = await readFile(path, 'utf8');
    checkScenarioTextSize(text, path);
    return text;
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ScenarioError(`${path}: cannot read the scenario (${reason}); give a path to a .yaml or .json file, e.g. scenarios/default.yaml`);
  }
}

/** Throws a ScenarioError when scenario text is over the size limits, before it is parsed. */
export function checkScenarioTextSize(text: string, where: string): void {
  if (Buffer.byteLength(text) > SCENARIO_FILE_MAX_BYTES) {
    throw new ScenarioError(`${where}: a scenario may have ${tooLarge('bytes', SCENARIO_FILE_MAX_BYTES, 'real ones have a few kB')}`);
  }
  // Before parsing: the YAML library checks duplicate keys in quadratic time (20,000 keys took
  // 3 s, 40,000 took 19 s). Every key needs a ':' and every list item a ',' or '- ', so more
  // of those than the node limit is over it too (a bound on the text, without parsing).
  if (separatorCount(text) > SCENARIO_MAX_NODES) {
    throw new ScenarioError(`${where}: a scenario may have ${tooLarge('keys and list items', SCENARIO_MAX_NODES, 'real ones have a few hundred')}`);
  }
}

/** How many ':', ',' and '- ' the text holds: at least its mapping keys and list items. */
function separatorCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 58 || code === 44 || (code === 45 && text.charCodeAt(index + 1) === 32)) count++;
  }
  return count;
}

/** Whether `value` has more than `limit` mapping keys and list items, counted without recursing past the limit. */
function exceedsNodes(value: unknown, limit: number): boolean {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const children = Array.isArray(node) ? node : Object.values(node);
    count += children.length;
    if (count > limit) return true;
    stack.push(...children);
  }
  return false;
}

/** Parses and validates scenario text; `where` names it in error messages. */
export function parseScenarioText(text: string, where: string): Scenario {
  checkScenarioTextSize(text, where);
  let raw: unknown;
  try {
    raw = extname(where) === '.json' ? JSON.parse(text) : parseYamlText(text);
  } catch (error) {
    throw new ScenarioError(`${where}: not valid ${extname(where) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  // Fail fast: validating tens of thousands of unknown keys took seconds, a million minutes.
  if (exceedsNodes(raw, SCENARIO_MAX_NODES)) {
    throw new ScenarioError(`${where}: a scenario may have ${tooLarge('keys and list items', SCENARIO_MAX_NODES, 'real ones have a few hundred')}`);
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
  if (!parsed.success) throw new ScenarioError(formatIssues(where, parsed.error.issues, [], scenarioSchema));
  const scenario = parsed.data;
  const basePipeline = (scenario.pipeline ?? {}) as Record<string, unknown>;
  const variants = scenario.variants ?? [{ name: 'base', description: undefined, pipeline: undefined }];

  const configs = variants.map((variant, index): ResolvedConfig => {
    const variantPipeline = (variant.pipeline ?? {}) as Record<string, unknown>;
    const preset = (variantPipeline.preset ?? basePipeline.preset ?? null) as PresetName | null;
    const merged = mergeSettings(DEFAULT_PIPELINE, preset ? PRESETS[preset] : undefined, withoutPreset(basePipeline), withoutPreset(variantPipeline));
    const resolved = pipelineSchema.safeParse(merged);
    if (!resolved.success) {
      const prefix = scenario.variants ? ['variants', index, 'pipeline'] : ['pipeline'];
      throw new ScenarioError(formatIssues(`${where} (config "${variant.name}")`, resolved.error.issues, prefix, pipelineSchema));
    }
    const load = ('load' in variant ? variant.load : undefined) ?? scenario.load ?? null;
    if (resolved.data.client.type === 'browser' && (load?.workers ?? 1) > 1) {
      // Every worker thread would launch browsers of its own and read all of the process's
      // browsers as its own: the browsers' CPU would be counted once per worker.
      throw new ScenarioError(
        `${where} (config "${variant.name}"): load.workers must be 1 with client.type browser: the pages run in Chromium's processes, not in worker threads; spread browser pages with client.browser.pagesPerContext and contextsPerBrowser`,
      );
    }
    const target = ('target' in variant ? variant.target : undefined) ?? null;
    return { name: variant.name, description: variant.description ?? null, preset, pipeline: resolved.data, load, ...(target && { target }) };
  });

  return {
    name: scenario.name,
    description: scenario.description ?? '',
    file: where,
    contentHash,
    seed: scenario.seed ?? 1,
    iterations: scenario.streams ?? scenario.iterations ?? 5,
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
