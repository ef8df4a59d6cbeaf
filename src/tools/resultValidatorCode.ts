/**
 * Build step helper: the source of `src/result/resultValidator.generated.ts`, a validator of the
 * result document compiled ahead of time by ajv from the JSON Schema that zod writes. Reading a
 * result file then needs neither zod nor ajv at run time (importing zod and building the schema
 * cost `compare` and `report` ~80–100 ms of start-up; npm run bench:startup).
 */
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { z } from 'zod';
import { resultDocumentWireSchema } from '../result/resultSchema.js';

/** The JSON Schema of the result document, as published in schemas/result.schema.json (without title). */
export function resultJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(resultDocumentWireSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/**
 * `{anyOf: [{type: 'object', …}, {type: 'null'}]}` (zod's nullable object) as `{type: ['object', 'null'], …}`:
 * the same documents pass (object keywords ignore null), but ajv fills property defaults only
 * outside anyOf, and `metrics` is a nullable object whose newer fields default to null.
 */
function nullableObjectsInline(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullableObjectsInline);
  if (typeof schema !== 'object' || schema === null) return schema;
  const node = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, nullableObjectsInline(value)])) as Record<string, unknown>;
  const branches = node.anyOf;
  if (Array.isArray(branches) && branches.length === 2 && Object.keys(node).every((key) => key === 'anyOf' || key === 'description' || key === 'default')) {
    const [object, empty] = branches as Record<string, unknown>[];
    if (object?.type === 'object' && empty?.type === 'null' && Object.keys(empty).length === 1) {
      const { anyOf: _branches, ...rest } = node;
      return { ...object, ...rest, type: ['object', 'null'] };
    }
  }
  return node;
}

/** Subschemas shorter than this (as JSON) stay inline: a function call costs more than their checks. */
const SHARED_SCHEMA_MIN_LENGTH = 200;

/** Keywords that do not constrain a document: left out of the validator's schema. */
const ANNOTATIONS = new Set(['description', 'title']);

/** The schema without annotations (their text only made equal shapes look different). */
function withoutAnnotations(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutAnnotations);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      // A property may be named "description": only annotation keywords of a schema go.
      .filter(([key]) => !ANNOTATIONS.has(key))
      .map(([key, value]) => [key, key === 'properties' ? propertiesWithoutAnnotations(value) : withoutAnnotations(value)]),
  );
}

/** A `properties` map: its keys are property names, so each value (a schema) is cleaned, never a key dropped. */
function propertiesWithoutAnnotations(properties: unknown): unknown {
  if (typeof properties !== 'object' || properties === null) return properties;
  return Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, withoutAnnotations(value)]));
}

/**
 * Every subschema that occurs more than once (a Summary under each metric and stage, a config
 * under each state) moved to `definitions` and referred to by `$ref`, so ajv compiles it into one
 * function instead of inlining a copy at every place: the validator's code, and the time Node takes
 * to compile it when `compare` or `report` reads a file, shrink several times. Schemas carrying a
 * `default` stay in place, since ajv fills a property's default from the schema where the property
 * is declared.
 */
function shareRepeatedSchemas(root: Record<string, unknown>): Record<string, unknown> {
  const counts = new Map<string, number>();
  const count = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (!Array.isArray(node)) counts.set(JSON.stringify(node), (counts.get(JSON.stringify(node)) ?? 0) + 1);
    Object.values(node).forEach(count);
  };
  Object.values(root).forEach(count);
  const definitions: Record<string, unknown> = {};
  const names = new Map<string, string>();
  const share = (node: unknown, isSchema: boolean): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    if (Array.isArray(node)) return node.map((item) => share(item, isSchema));
    const text = JSON.stringify(node);
    if (isSchema && (counts.get(text) ?? 0) > 1 && text.length >= SHARED_SCHEMA_MIN_LENGTH && !('default' in node)) {
      let name = names.get(text);
      if (name === undefined) {
        name = `shared${names.size}`;
        names.set(text, name);
        definitions[name] = shareChildren(node as Record<string, unknown>);
      }
      return { $ref: `#/definitions/${name}` };
    }
    return shareChildren(node as Record<string, unknown>);
  };
  // Under `properties` the keys are names and every value a schema; `required`, `enum` and
  // `const` hold data, never schemas.
  const shareChildren = (node: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(node).map(([key, value]) => {
        if (key === 'required' || key === 'enum' || key === 'const' || key === 'default') return [key, value];
        if (key === 'properties' && typeof value === 'object' && value !== null) {
          return [key, Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, share(schema, true)]))];
        }
        return [key, share(value, true)];
      }),
    );
  const shared = shareChildren(root);
  return names.size === 0 ? shared : { ...shared, definitions };
}

/** Where an ajv error object starts in the standalone code: set as a function's errors, or kept for a later branch. */
const ERROR_OBJECT = /(?:\.errors = \[|const err\d+ = )\{instancePath/g;

/** The index just past the object literal that opens at `start` (a `{`), skipping string literals. */
function endOfObjectLiteral(code: string, start: number): number {
  let depth = 0;
  for (let index = start; index < code.length; index++) {
    const character = code[index];
    if (character === '"') {
      // Past the closing quote; a backslash escapes the character after it.
      for (index++; code[index] !== '"'; index++) if (code[index] === '\\') index++;
    } else if (character === '{') depth++;
    else if (character === '}' && --depth === 0) return index + 1;
  }
  throw new Error('the standalone validator has an error object that does not close');
}

/**
 * The code with every error object (instancePath, schemaPath, keyword, params) replaced by 0.
 * readResult only asks whether a document is valid: zod says what is wrong with one that is
 * not. The objects still count (the code counts the entries of its error lists to tell whether a
 * branch failed), but their text was ~40 % of the validator, which Node compiles when compare or
 * report reads its first file (npm run bench:startup).
 */
function withoutErrorObjects(code: string): string {
  let kept = '';
  let copiedTo = 0;
  for (const match of code.matchAll(ERROR_OBJECT)) {
    const start = match.index + match[0].length - '{instancePath'.length;
    if (start < copiedTo) continue;
    kept += `${code.slice(copiedTo, start)}0`;
    copiedTo = endOfObjectLiteral(code, start);
  }
  return kept + code.slice(copiedTo);
}

/** TypeScript source (plain JavaScript under @ts-nocheck) of the standalone validator; the same text runs as dist/….js. */
export function resultValidatorCode(): string {
  const { $schema: _draft, ...schema } = resultJsonSchema();
  // useDefaults fills the fields zod's .default(null) fills, so both paths return the same document.
  // inlineRefs false: each shared definition stays one function (shareRepeatedSchemas).
  const ajv = new Ajv({ code: { source: true, esm: true, lines: false }, useDefaults: true, strict: false, allErrors: false, inlineRefs: false, messages: false });
  const validatorSchema = shareRepeatedSchemas(withoutAnnotations(nullableObjectsInline(schema)) as Record<string, unknown>);
  // ajv's CommonJS module: its function is the default export's `default` under NodeNext.
  const code = withoutErrorObjects(standalone.default(ajv, ajv.compile(validatorSchema)));
  if (/\brequire\(/.test(code)) throw new Error('the standalone result validator needs ajv at run time; keep the result schema to keywords ajv inlines');
  return `// @ts-nocheck\n// Generated by src/tools/writeSchemas.ts (npm run build) from src/result/resultSchema.ts: do not edit.\n${code}\n`;
}
