/**
 * The light bundle: the code `--help`, `--version`, `compare` and `report` run, bundled at build
 * time into one CommonJS file (src/tools/writeLightBundle.ts) with a V8 code cache made after
 * running those commands once. Node 20 caches no ES module's code, so the ~35 ES modules of
 * compare were parsed and compiled at every start (~15 ms, npm run bench:startup); one classic
 * script run from its cache skips that. CommonJS, so the bin entry loads it without Node's ES
 * module loader (~3 ms of its own).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import type * as LightEntry from './lightEntry.js';

/** What the bundle exports: the program's main() and the process's io. */
export type LightBundleExports = typeof LightEntry;

/** The bundle and its cache, at the root of dist/ (the bundle's __dirname is dist/, which it resolves its lazy imports and files against). */
export const LIGHT_BUNDLE_FILE = 'cli.bundle.cjs';
export const LIGHT_BUNDLE_CACHE_FILE = 'cli.bundle.codecache';

/** The last line of the bundle: the hash of the code above it, which its cache file starts with. */
const HASH_LINE_PREFIX = '//# streambench-bundle-sha256=';
const HASH_LENGTH = 64;

/** Whether `argv` (the user's arguments) runs from the bundle: help and version of the program, and compare and report with any options. */
export function runsFromLightBundle(argv: readonly string[]): boolean {
  const [first] = argv;
  if (first === undefined) return true;
  if (first === 'compare' || first === 'report') return true;
  return argv.length === 1 && (first === '--help' || first === '-h' || first === '--version' || first === '-V');
}

/**
 * The bundle file's text (the build writes this): esbuild's CommonJS code in the wrapper Node puts
 * around a module, written into the file so that the script is the file as read, then the hash line.
 */
export function bundleFileText(code: string, sha256Hex: string): string {
  return `(function (exports, require, module, __filename, __dirname, __streambenchImport) {${code}\n})\n${HASH_LINE_PREFIX}${sha256Hex}\n`;
}

/** The cache file's content: the bundle's hash, then V8's cache data. */
export function cacheFileContent(sha256Hex: string, cachedData: Buffer): Buffer {
  return Buffer.concat([Buffer.from(sha256Hex, 'latin1'), cachedData]);
}

/** The hash on the bundle's last line, or null when it has none. */
function bundleHash(source: string): string | null {
  const start = source.lastIndexOf(HASH_LINE_PREFIX);
  if (start < 0) return null;
  const hash = source.slice(start + HASH_LINE_PREFIX.length, start + HASH_LINE_PREFIX.length + HASH_LENGTH);
  return hash.length === HASH_LENGTH ? hash : null;
}

/** The bundle compiled and run, and whether its cache was used: 'accepted', 'rejected' (by V8, e.g. another Node or other flags), 'mismatched' (made from another bundle) or 'missing'. */
export interface LoadedLightBundle {
  exports: LightBundleExports;
  script: Script;
  cache: 'accepted' | 'rejected' | 'mismatched' | 'missing';
}

/**
 * Compiles and runs the bundle in `distFolder` (as Node runs a CommonJS module: the same wrapper),
 * with its cache when the cache file starts with the hash on the bundle's last line; V8 checks
 * the rest (the source's length, this Node and its flags) and compiles as usual when they do
 * not fit. `withCache: false` compiles without one (the build, making it). Null when there is no
 * bundle (dist/ built by tsc alone): then the caller runs the ES module entry.
 */
export function loadLightBundle(distFolder: string, withCache = true): LoadedLightBundle | null {
  const file = join(distFolder, LIGHT_BUNDLE_FILE);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let cachedData: Buffer | undefined;
  let cache: LoadedLightBundle['cache'] = 'missing';
  if (withCache) {
    try {
      const content = readFileSync(join(distFolder, LIGHT_BUNDLE_CACHE_FILE));
      if (content.toString('latin1', 0, HASH_LENGTH) === bundleHash(source)) cachedData = content.subarray(HASH_LENGTH);
      else cache = 'mismatched';
    } catch {
      cache = 'missing';
    }
  }
  const script = new Script(source, { filename: file, cachedData });
  if (cachedData) cache = script.cachedDataRejected === true ? 'rejected' : 'accepted';
  const module = { exports: {} as LightBundleExports };
  const wrapper = script.runInThisContext() as (
    exports: object,
    require: NodeJS.Require,
    module: object,
    filename: string,
    dirname: string,
    importModule: (specifier: string) => Promise<unknown>,
  ) => void;
  // The modules the bundle leaves out (run, sweep, the HTML report…): imported by Node's loader from this module, packages by name and files by their path in dist/.
  const importModule = (specifier: string) => import(specifier.startsWith('./') ? pathToFileURL(join(distFolder, specifier)).href : specifier);
  // This module's own require: the bundle requires only Node's built-in modules (the build keeps
  // packages and files out of it), and node:module's createRequire would load on every start.
  wrapper.call(module.exports, module.exports, require, module, file, distFolder, importModule);
  return { exports: module.exports, script, cache };
}
