/**
 * Build step helper: the V8 code cache of the result validator (result/cachedResultValidator.ts),
 * written beside the validator in dist/result/ with the exact script it was made from.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { type ResultValidator, VALIDATOR_CACHE_FILE, VALIDATOR_SCRIPT_FILE, validatorScriptText } from '../result/cachedResultValidator.js';

/** Compiles the validator module's code as the script compare and report run, calls it once so V8 compiles its function too, and writes the script and its cache into `folder`. */
export function writeValidatorCodeCache(folder: string, moduleCode: string): void {
  const source = validatorScriptText(moduleCode);
  if (source === null) throw new Error('the generated result validator does not end its exports as validatorScriptText expects: update result/cachedResultValidator.ts');
  const script = new Script(source, { filename: join(folder, 'resultValidator.generated.js') });
  const validate = script.runInThisContext() as ResultValidator;
  // The first call compiles the validator's function (V8 compiles functions lazily); the cache made after it holds that code.
  validate({});
  writeFileSync(join(folder, VALIDATOR_SCRIPT_FILE), source);
  writeFileSync(join(folder, VALIDATOR_CACHE_FILE), script.createCachedData());
}
