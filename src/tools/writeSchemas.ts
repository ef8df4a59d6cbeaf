/** Build step: writes the published JSON Schemas (scenario and result) from the zod schemas. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { resultDocumentSchema } from '../result/resultSchema.js';
import { scenarioSchema } from '../scenario/scenarioSchema.js';

const schemasFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
mkdirSync(schemasFolder, { recursive: true });

const write = (fileName: string, title: string, schema: z.ZodType) => {
  const jsonSchema = { ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), title };
  writeFileSync(join(schemasFolder, fileName), `${JSON.stringify(jsonSchema, null, 2)}\n`);
};
write('scenario.schema.json', 'streambench scenario', scenarioSchema);
write('result.schema.json', 'streambench result document', resultDocumentSchema);
