/**
 * Build step: writes the published JSON Schemas (scenario and result) from the zod schemas, and
 * the result validator compiled from the result schema (src/result/resultValidator.generated.ts,
 * and its JavaScript beside this build's dist/result/ so the build just made uses it at once, with
 * the V8 code cache that compare and report load it with).
 */
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { resultDocumentWireSchema } from '../result/resultSchema.js';
import { scenarioSchema } from '../scenario/scenarioSchema.js';
import { resultValidatorCode } from './resultValidatorCode.js';
import { writeValidatorCodeCache } from './validatorCodeCache.js';

const distFolder = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoFolder = join(distFolder, '..');
const schemasFolder = join(repoFolder, 'schemas');
mkdirSync(schemasFolder, { recursive: true });

const write = (fileName: string, title: string, schema: z.ZodType) => {
  const jsonSchema = { ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), title };
  writeFileSync(join(schemasFolder, fileName), `${JSON.stringify(jsonSchema, null, 2)}\n`);
};
write('scenario.schema.json', 'streambench scenario', scenarioSchema);
write('result.schema.json', 'streambench result document', resultDocumentWireSchema);

/** Writes `text` to `path` unless it already holds it (keeps tsc's incremental view of src/ quiet). */
const writeIfChanged = (path: string, text: string) => {
  let current: string | null = null;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // not written yet
  }
  if (current !== text) writeFileSync(path, text);
};
const validatorCode = resultValidatorCode();
writeIfChanged(join(repoFolder, 'src', 'result', 'resultValidator.generated.ts'), validatorCode);
writeIfChanged(join(distFolder, 'result', 'resultValidator.generated.js'), validatorCode);
writeValidatorCodeCache(join(distFolder, 'result'), validatorCode);
