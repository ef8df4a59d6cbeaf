/**
 * The compiled result validator (resultValidator.generated.ts), loaded with the V8 code cache the
 * build wrote for it. V8 compiles the validator's ~100 KB function on its first call: ~3 ms to
 * import the module and ~3 ms for that first call, once per compare or report, where the cache
 * takes ~1 ms (npm run bench:startup). Node 20 caches no ES module's code, so the build's module
 * runs here as a classic script (vm.Script), the cache given as its cachedData; V8 checks that
 * the cache fits this Node and its flags and compiles as usual when it does not.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** The validator: whether `data` is a valid result document (fills defaults as zod does). */
export type ResultValidator = (data: unknown) => boolean;

/** Where the build puts the script the cache was made from, and the cache, beside this module. */
export const VALIDATOR_SCRIPT_FILE = 'resultValidator.script.js';
export const VALIDATOR_CACHE_FILE = 'resultValidator.script.codecache';

let loaded: ResultValidator | undefined;

/** The result validator: from the build's code cache when there is one, else the module itself. */
export async function resultValidator(): Promise<ResultValidator> {
  loaded ??= validatorFromScript() ?? ((await import('./resultValidator.generated.js')).validate as ResultValidator);
  return loaded;
}

/**
 * The validator module's code as a classic script whose value is the validator, or null when the
 * code is not ajv's standalone module as generated (then it is imported as a module).
 */
export function validatorScriptText(moduleCode: string): string | null {
  const exports = /export const validate = (\w+);export default \1;/.exec(moduleCode);
  if (!exports) return null;
  const body = moduleCode.slice(0, exports.index) + moduleCode.slice(exports.index + exports[0].length);
  return `(function () {\n${body}\nreturn ${exports[1]};\n})();\n`;
}

/**
 * The validator run as a script, with the build's code cache when the script the cache was made
 * from is this one (V8 checks the cache against the source's length only); null when there is no
 * built module beside this one (src/ under the tests) or its code is not as generated.
 */
function validatorFromScript(): ResultValidator | null {
  const moduleFile = new URL('./resultValidator.generated.js', import.meta.url);
  let source: string | null;
  try {
    source = validatorScriptText(readFileSync(moduleFile, 'utf8'));
  } catch {
    return null;
  }
  if (source === null) return null;
  let cachedData: Buffer | undefined;
  try {
    // A cache made from other code (dist/ rebuilt by tsc alone) is left out rather than trusted.
    if (readFileSync(new URL(`./${VALIDATOR_SCRIPT_FILE}`, import.meta.url), 'utf8') === source) cachedData = readFileSync(new URL(`./${VALIDATOR_CACHE_FILE}`, import.meta.url));
  } catch {
    cachedData = undefined;
  }
  return new Script(source, { filename: fileURLToPath(moduleFile), cachedData }).runInThisContext() as ResultValidator;
}
