#!/usr/bin/env node
/**
 * The `streambench` bin entry. `--help`, `--version`, `compare` and `report` run from the light
 * bundle (cli/lightBundle.cts: one CommonJS file run from a build-time V8 code cache, about half
 * their start-up, npm run bench:startup); every other command, and every command when dist/ has
 * no bundle, runs the ES module entry cli.js. A CommonJS file, so that Node's ES module loader
 * starts only for the commands that need it. Both run the same program (cli/program.ts).
 */
import { loadLightBundle, runsFromLightBundle } from './cli/lightBundle.cjs';

const argv = process.argv.slice(2);
const bundle = runsFromLightBundle(argv) ? loadLightBundle(__dirname) : null;
if (bundle) {
  const { main, processIo } = bundle.exports;
  void main(argv, processIo()).then((code) => {
    process.exitCode = code;
  });
} else {
  void import('./cli.js');
}
