/**
 * `streambench sweep`: turns a scenario and a parameter grid (`--param batch.size=1,2,5` or a
 * `sweep:` block) into a scenario whose configs are the grid's points. A path names a pipeline
 * field, or with `load.` a field of the load block (`load.concurrency=100,300,1000`: a
 * concurrency sweep). Every point is validated like a scenario variant; a bad path or value
 * fails with the parameter named.
 */
import { extname } from 'node:path';
import { type Scenario, resolveScenario } from '../scenario/loadScenario.js';
import { parseYamlText } from '../scenario/parseYamlText.js';
import { ScenarioError } from '../input/scenarioError.js';
import type { SweepInput } from '../scenario/scenarioSchema.js';
import { inertParamProblems } from './inertParams.js';

/** A scalar a pipeline field can take. */
export type ParamValue = number | string | boolean;

/** One swept field and its values, in the order given. */
export interface SweepParam {
  path: string;
  values: ParamValue[];
}

/** One grid point: the config name and the value of every swept field. */
export interface SweepPoint {
  name: string;
  values: Record<string, ParamValue>;
}

/** The scenario to run and the points it holds (config i is point i). */
export interface SweepPlan {
  scenario: Scenario;
  params: SweepParam[];
  points: SweepPoint[];
}

/** Reads `1`, `2.5`, `true` and `false` as what they look like; anything else stays a string. */
function parseScalar(text: string): ParamValue {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  return trimmed;
}

/** Parses `--param path=v1,v2,…`; throws ScenarioError naming the flag. */
export function parseParamFlag(text: string): SweepParam {
  const match = /^\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+)\s*=\s*(.+)$/.exec(text);
  const [, path, valueList] = match ?? [];
  if (path === undefined || valueList === undefined) {
    throw new ScenarioError(`--param "${text}": expected a pipeline field path and values, e.g. --param batch.size=1,2,5,10`);
  }
  const values = valueList.split(',').map(parseScalar);
  if (values.some((value) => value === '')) throw new ScenarioError(`--param "${text}": an empty value in the list`);
  return { path, values };
}

/** The params of a `sweep:` block. */
export function paramsFromBlock(block: SweepInput): SweepParam[] {
  return Object.entries(block.params).map(([path, values]) => ({ path, values }));
}

/** Every combination of the params' values, the first param varying slowest. */
export function gridPoints(params: readonly SweepParam[]): Record<string, ParamValue>[] {
  let points: Record<string, ParamValue>[] = [{}];
  for (const param of params) points = points.flatMap((point) => param.values.map((value) => ({ ...point, [param.path]: value })));
  return points;
}

/** A config name for a point: `size-5_timeoutMs-25` (full paths when the last segments clash). */
export function pointName(values: Record<string, ParamValue>): string {
  const paths = Object.keys(values);
  const last = (path: string) => path.split('.').at(-1)!;
  const unique = new Set(paths.map(last)).size === paths.length;
  return paths.map((path) => `${unique ? last(path) : path}-${String(values[path]).replace(/[^A-Za-z0-9._-]/g, '-')}`).join('_');
}

/** Sets `value` at a dotted path of a plain object, creating objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: ParamValue): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node = node[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
  }
  node[keys.at(-1)!] = value;
}

/** Load fields a sweep may vary, with what they take. */
const SWEEPABLE_LOAD_FIELDS = ['concurrency', 'streams', 'durationS', 'rampS', 'workers'];

/** The load block a swept `load.` path lands in, with the field's last key; null for pipeline paths. */
function loadField(path: string): string | null {
  return path.startsWith('load.') ? path.slice('load.'.length) : null;
}

/** Checks that `path` names a field of the resolved pipeline (or load block); throws naming the fields allowed there. */
function checkPath(pipeline: Record<string, unknown>, load: Record<string, unknown> | null, path: string): void {
  const field = loadField(path);
  if (field !== null) {
    if (load === null) throw new ScenarioError(`--param ${path}: the swept config has no load block; add one (e.g. load: { concurrency: 10 }) to sweep its fields`);
    if (!SWEEPABLE_LOAD_FIELDS.includes(field))
      throw new ScenarioError(`--param ${path}: "${field}" is not a load field a sweep can vary; fields: ${SWEEPABLE_LOAD_FIELDS.join(', ')}`);
    return;
  }
  let node: unknown = pipeline;
  const keys = path.split('.');
  for (const [index, key] of keys.entries()) {
    const here = keys.slice(0, index).join('.') || 'pipeline';
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) {
      const allowed = typeof node === 'object' && node !== null ? Object.keys(node).join(', ') : 'none (it is a value)';
      throw new ScenarioError(`--param ${path}: "${key}" is not a field of ${here}; fields there: ${allowed}`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node === 'object' && node !== null) {
    throw new ScenarioError(`--param ${path}: names a group of fields (${Object.keys(node).join(', ')}), not one value; sweep one of them, e.g. ${path}.${Object.keys(node)[0]}`);
  }
}

/** Reads scenario text as a raw object (YAML or JSON by the file's extension). */
export function parseRawScenario(text: string, where: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = extname(where) === '.json' ? JSON.parse(text) : parseYamlText(text);
  } catch (error) {
    throw new ScenarioError(`${where}: not valid ${extname(where) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(`${where}: a scenario is a mapping with at least "name" and "source" (see docs/scenarios.md)`);
  }
  return raw as Record<string, unknown>;
}

/**
 * Builds the sweep: the scenario's base pipeline (or `variant`'s) with each grid point's values
 * on top, one config per point. Flags win over the scenario's `sweep:` block.
 */
export function planSweep(raw: Record<string, unknown>, where: string, contentHash: string, flagParams: SweepParam[], variantFlag?: string): SweepPlan {
  const original = resolveScenario(raw, where, contentHash);
  const block = original.sweep;
  const params = flagParams.length > 0 ? flagParams : block ? paramsFromBlock(block) : [];
  if (params.length === 0) {
    throw new ScenarioError(`${where}: nothing to sweep: pass --param PATH=V1,V2 (e.g. --param batch.size=1,2,5,10) or add a sweep: block to the scenario`);
  }
  const duplicate = params.find((param, index) => params.findIndex((other) => other.path === param.path) !== index);
  if (duplicate) throw new ScenarioError(`--param ${duplicate.path} is given twice; list all its values in one --param`);

  const variantName = variantFlag ?? block?.variant;
  const variants = (raw.variants as Record<string, unknown>[] | undefined) ?? [];
  const startVariant = variantName === undefined ? undefined : variants.find((variant) => variant.name === variantName);
  if (variantName !== undefined && !startVariant) {
    throw new ScenarioError(`${where}: no variant named "${variantName}" to sweep from; variants: ${variants.map((variant) => variant.name).join(', ') || 'none'}`);
  }
  const [firstConfig] = original.configs;
  const startConfig = original.configs.find((config) => config.name === (variantName ?? firstConfig?.name)) ?? firstConfig;
  if (!startConfig) throw new ScenarioError(`${where}: the scenario has no config to sweep from`);
  const startPipeline = (startVariant?.pipeline as Record<string, unknown> | undefined) ?? {};
  const startLoad = startConfig.load as Record<string, unknown> | null;
  // A target variant (target mode) has no pipeline to vary: only its load (the app under growing load).
  const startTarget = startVariant?.target as Record<string, unknown> | undefined;
  for (const param of params) {
    if (startTarget && loadField(param.path) === null) {
      throw new ScenarioError(
        `--param ${param.path}: variant "${variantName}" is a target (your app), which has no pipeline fields; sweep its load, e.g. --param load.concurrency=1,4,16`,
      );
    }
    checkPath(startConfig.pipeline as unknown as Record<string, unknown>, startLoad, param.path);
  }

  const variantFor = (name: string, values: Record<string, ParamValue>) => {
    const pipeline = structuredClone(startPipeline);
    // A variant's load replaces the scenario's whole: start from the swept config's own.
    const load = startLoad && structuredClone(startLoad);
    for (const [path, value] of Object.entries(values)) {
      const field = loadField(path);
      if (field !== null) load![field] = value;
      else setPath(pipeline, path, value);
    }
    if (startTarget) return { name, target: structuredClone(startTarget), ...(load && { load }) };
    return { name, pipeline, ...(load && { load }) };
  };
  const scenarioWith = (variantList: unknown[]) => {
    const { sweep: _sweep, variants: _variants, ...rest } = raw;
    return { ...rest, variants: variantList };
  };
  // Each value alone first, so an error names the parameter rather than a grid point.
  for (const param of params) {
    for (const value of param.values) {
      try {
        resolveScenario(scenarioWith([variantFor('check', { [param.path]: value })]), where, contentHash);
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        const detail = error.message
          .split('\n')
          .map((line) => line.replace(/^.*?variants\[0\]\.(pipeline\.)?/, ''))
          .join('; ');
        throw new ScenarioError(`--param ${param.path}=${String(value)}: ${detail}`);
      }
    }
  }
  const points = gridPoints(params).map((values) => ({ name: pointName(values), values }));
  const scenario = resolveScenario(scenarioWith(points.map((point) => variantFor(point.name, point.values))), where, contentHash);
  const startName = variantName === undefined ? 'the base pipeline (no --variant)' : `variant ${variantName}`;
  const problems = inertParamProblems(
    params.map((param) => param.path),
    scenario.configs.map((config) => config.pipeline),
    original.configs,
    startName,
  );
  if (problems.length > 0) throw new ScenarioError(problems.join('\n'));
  return { scenario: { ...scenario, name: `${scenario.name}-sweep` }, params, points };
}
