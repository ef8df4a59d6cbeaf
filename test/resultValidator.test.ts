import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { resultDocumentSchema } from '../src/result/resultSchema.js';
import { validate } from '../src/result/resultValidator.generated.js';
import { resultValidatorCode } from '../src/tools/resultValidatorCode.js';
import { type ResultValidator, VALIDATOR_CACHE_FILE, VALIDATOR_SCRIPT_FILE, validatorScriptText } from '../src/result/cachedResultValidator.js';
import { configWithStreams, runOf } from './helpers/gateFixtures.js';
import { completedConfig, failedConfig, metricsOf, resultDocument } from './helpers/resultFixtures.js';
import { firstOf } from './helpers/indexed.js';

/** A deep copy, so the validator's filled-in defaults never leak between cases. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Valid and invalid documents, older files among them, for the validator to accept or reject as zod does. */
function sampleDocuments(): unknown[] {
  const valid = resultDocument([completedConfig('a', metricsOf()), failedConfig('b', 'errored', 'boom')]);
  const withStreams = runOf([configWithStreams('a', { streams: 6, p99Ms: 30, spreadMs: 10, jitterMs: 1, runSeed: 1 })], 'run-2');
  const olderFile = copy(valid) as unknown as { configs: { metrics: Record<string, unknown> | null }[] };
  const olderFileConfig = firstOf(olderFile.configs, 'olderFile.configs');
  delete olderFileConfig.metrics!.upstreamTimeToFirstByteMs;
  delete olderFileConfig.metrics!.paintDelayMs;
  // Summaries are checked by one shared definition ($ref): a bad one is still rejected wherever it sits.
  const summary = { n: 3, min: 1, mean: 2, p50: 2, p90: 3, p99: 3, max: 3, stddev: 1 };
  const withSummaries = (ttftMs: object, e2eMs: object) => resultDocument([completedConfig('a', metricsOf({ ttftMs: ttftMs as typeof summary, e2eMs: e2eMs as typeof summary }))]);
  const documents: unknown[] = [
    withSummaries(summary, summary),
    withSummaries(summary, { ...summary, p50: 'fast' }),
    withSummaries({ ...summary, p42: 1 }, summary),
    valid,
    withStreams,
    olderFile,
    { ...copy(valid), extra: 1 },
    { ...copy(valid), runId: 5 },
    { ...copy(valid), schemaVersion: 2 },
    { ...copy(valid), configs: [{ ...copy(valid).configs[0], state: 'done' }] },
    { ...copy(valid), configs: [{ ...copy(valid).configs[0], tokenLatencyPercentilesMs: [1, 2, 3] }] },
    { ...copy(valid), context: { ...copy(valid).context, cores: 2.5 } },
    { ...copy(valid), incomplete: false },
    null,
    [],
  ];
  return documents;
}

describe('the result validator compiled at build time', () => {
  it('is the one the current result schema compiles to (npm run build regenerates it)', () => {
    expect(readFileSync(new URL('../src/result/resultValidator.generated.ts', import.meta.url), 'utf8')).toBe(resultValidatorCode());
  });

  it('accepts and rejects what zod accepts and rejects, and fills the same defaults', () => {
    const documents = sampleDocuments();
    for (const document of documents) {
      const zodResult = resultDocumentSchema.safeParse(copy(document));
      const checked = copy(document);
      expect(validate(checked), JSON.stringify(document).slice(0, 200)).toBe(zodResult.success);
      if (zodResult.success) expect(checked).toEqual(zodResult.data);
    }
  });

  it('run as the script compare and report load with its code cache, accepts, rejects and fills defaults as the module', () => {
    const source = validatorScriptText(readFileSync(new URL('../src/result/resultValidator.generated.ts', import.meta.url), 'utf8'));
    expect(source).not.toBeNull();
    const fromScript = new Script(source!).runInThisContext() as ResultValidator;
    for (const document of sampleDocuments()) {
      const [checked, checkedByScript] = [copy(document), copy(document)];
      expect(fromScript(checkedByScript), JSON.stringify(document).slice(0, 200)).toBe(validate(checked));
      expect(checkedByScript).toEqual(checked);
    }
  });

  it('has its code cache in the build made from the built validator, and this Node takes it', () => {
    const built = (file: string) => new URL(`../dist/result/${file}`, import.meta.url);
    const source = validatorScriptText(readFileSync(built('resultValidator.generated.js'), 'utf8'));
    expect(readFileSync(built(VALIDATOR_SCRIPT_FILE), 'utf8')).toBe(source);
    const script = new Script(source!, { cachedData: readFileSync(built(VALIDATOR_CACHE_FILE)) });
    expect(script.cachedDataRejected).toBe(false);
  });
});
