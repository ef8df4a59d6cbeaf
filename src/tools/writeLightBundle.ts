/**
 * Build step (after tsc and writeSchemas): bundles what `--help`, `--version`, `compare` and
 * `report` run, from dist/cli/lightEntry.js, into dist/cli.bundle.cjs with esbuild, runs those
 * commands once on two real result files, and writes the V8 code cache of the bundle as it stands
 * then (cli/lightBundle.cts says why). The bundle holds this build's code and commander; the
 * modules the program imports lazily (the other commands, the HTML report, CSV, markdown…) stay
 * out of it as import() of their files in dist/, and so do other packages.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { writeSampleResults } from './sampleResults.js';
import { LIGHT_BUNDLE_CACHE_FILE, LIGHT_BUNDLE_FILE, cacheFileContent, loadLightBundle, bundleFileText } from '../cli/lightBundle.cjs';

const distFolder = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The modules imported with import() that the bundle leaves to Node's loader: the commands it does
 * not run, the zod schema and the result validator (which has a code cache of its own). The bundle
 * holds every other one (still run lazily): a module loaded from dist/ beside the bundle has its
 * own copy of what it imports, so a CliError it threw would not be the bundle's CliError.
 */
const LAZY_MODULES_LEFT_OUT = new Set([
  'cli/runCommand.js',
  'cli/recordCommand.js',
  'cli/mockServerCommand.js',
  'cli/sweepCommand.js',
  'cli/targetCommand.js',
  'cli/mergeCommand.js',
  'result/resultSchema.js',
  'result/resultValidator.generated.js',
]);

/** `path` relative to dist/, with forward slashes. */
const inDist = (path: string) => relative(distFolder, path).split(sep).join('/');

/** import('<specifier>') in a built module, literal specifier only. */
const DYNAMIC_IMPORT = /\bimport\((['"])([^'"]+)\1\)/g;

/**
 * Bundles the modules imported with import() but those left out; turns the import() of those
 * into a call of the bundle's `__streambenchImport` with the module's path in dist/
 * (a script run by node:vm has no import() of its own without an experimental flag, and the bin
 * entry's loads the file beside the bundle, lazily as before); and gives every bundled module its
 * own import.meta.url (esbuild leaves it empty in CommonJS): the URL of its file in dist/, which
 * it reads files beside (the result validator and its cache, package.json).
 */
const distModules: Plugin = {
  name: 'streambench-dist-modules',
  setup(bundler) {
    bundler.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(distFolder + sep)) return undefined;
      const code = readFileSync(args.path, 'utf8')
        // commander's require (cli/commander.ts) as a plain one, which esbuild bundles.
        .replace("createRequire(import.meta.url)('commander')", "require('commander')")
        .replaceAll('import.meta.url', `__streambenchFileUrl(${JSON.stringify(inDist(args.path))})`)
        .replace(DYNAMIC_IMPORT, (call, _quote: string, specifier: string) => {
          if (!specifier.startsWith('.')) return `__streambenchImport(${JSON.stringify(specifier)})`;
          const target = inDist(resolve(dirname(args.path), specifier));
          return LAZY_MODULES_LEFT_OUT.has(target) ? `__streambenchImport(${JSON.stringify(`./${target}`)})` : call;
        });
      return { contents: code, loader: 'js' };
    });
  },
};

/**
 * Bundles commander, and gives it a child_process whose spawn loads the real one when called:
 * commander requires child_process when it loads, for executable subcommands (streambench has
 * none), and that module and what it pulls in (net, dgram, streams…) cost ~2 ms of each start.
 */
const bundledCommander: Plugin = {
  name: 'streambench-bundled-commander',
  setup(bundler) {
    bundler.onResolve({ filter: /^commander$/ }, () => ({ path: createRequire(import.meta.url).resolve('commander') }));
    bundler.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${sep}node_modules${sep}commander${sep}`) ? { path: 'child_process', namespace: 'streambench-lazy' } : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'streambench-lazy' }, () => ({
      contents: "Object.defineProperty(exports, 'spawn', { enumerable: true, get: () => require('node:child_process').spawn });\n",
      loader: 'js',
    }));
  },
};

/** The bundle file's text (wrapped, with its hash line), and that hash. */
async function bundleCode(): Promise<{ code: string; hash: string }> {
  const result = await build({
    entryPoints: [join(distFolder, 'cli', 'lightEntry.js')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'warning',
    // Only commander (small, loaded by every command) is bundled: other packages load as they do from dist/.
    packages: 'external',
    plugins: [bundledCommander, distModules],
    banner: { js: "const __streambenchFileUrl = (path) => require('node:url').pathToFileURL(require('node:path').join(__dirname, path)).href;" },
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild wrote no bundle');
  if (/\bimport\(/.test(code) || code.includes('import.meta'))
    throw new Error('the light bundle still holds an import() or import.meta, which a vm script cannot run: update src/tools/writeLightBundle.ts');
  const hash = createHash('sha256').update(code).digest('hex');
  return { code: bundleFileText(code, hash), hash };
}

/** Every command the bundle runs, in the forms the bin entry sends it, on the files `base` and `head`. */
function warmUpCommands(base: string, head: string): string[][] {
  const compare = ['compare', base, head];
  return [
    [],
    ['--help'],
    ['--version'],
    ['compare', '--help'],
    ['report', '--help'],
    compare,
    [...compare, '--format', 'json'],
    [...compare, '--format', 'markdown'],
    ['report', base],
    ['report', base, '--format', 'json'],
  ];
}

const { code, hash } = await bundleCode();
writeFileSync(join(distFolder, LIGHT_BUNDLE_FILE), code);
const bundle = loadLightBundle(distFolder, false);
if (bundle === null) throw new Error(`${LIGHT_BUNDLE_FILE} was not written`);
const folder = mkdtempSync(join(tmpdir(), 'streambench-bundle-'));
try {
  const { base, head } = writeSampleResults(join(distFolder, 'cli.js'), folder);
  // V8 compiles functions on their first call; the cache made after these runs holds their code.
  const discard = { write: () => true };
  for (const argv of warmUpCommands(base, head)) await bundle.exports.main(argv, { stdout: discard, stderr: discard, env: {} });
} finally {
  rmSync(folder, { recursive: true, force: true });
}
writeFileSync(join(distFolder, LIGHT_BUNDLE_CACHE_FILE), cacheFileContent(hash, bundle.script.createCachedData()));
