#!/usr/bin/env node
/** The `streambench` command line: parses arguments and hands off to one command module each. */
import { Command, CommanderError, Option } from 'commander';
import { compareCommand } from './cli/compareCommand.js';
import { CliError, EXIT } from './cli/exitCodes.js';
import { wholeNumber } from './cli/parseOptions.js';
import { DEFAULT_SCENARIO, runCommand } from './cli/runCommand.js';
import { TOOL_VERSION } from './run/context.js';

const program = new Command()
  .name('streambench')
  .description(
    'Benchmark LLM token-stream relay pipelines: drive token streams through configurable relay\n' +
      'pipelines, time every token at every stage, and compare configurations.',
  )
  .version(TOOL_VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program
  .command('run')
  .description(`Run benchmark scenarios (default: ${DEFAULT_SCENARIO}), print tables and save result JSON`)
  .argument('[scenario...]', 'scenario files (.yaml or .json)')
  .option('--json', 'print the result document on stdout (tables go to stderr)')
  .option('--out <path>', 'where to save: a .json file, or a folder (default: results/<scenario>-<UTC time>.json)')
  .option('--no-save', 'do not write a result file')
  .addOption(new Option('--iterations <n>', 'measured streams per config (overrides the scenario)').argParser(wholeNumber(1)))
  .addOption(new Option('--warmup <n>', 'warm-up streams per config (overrides the scenario)').argParser(wholeNumber(0)))
  .addOption(new Option('--seed <n>', 'random seed (overrides the scenario)').argParser(wholeNumber(0)))
  .option(
    '--redis <url|auto|off>',
    'Redis for the redis-* brokers: a redis:// or rediss:// URL, "auto" (REDIS_URL, else 127.0.0.1:6379, else a private redis-server from PATH) or "off" (skip those configs)',
    'auto',
  )
  .option('-q, --quiet', 'print nothing but errors')
  .addHelpText(
    'after',
    `
Exit codes: 0 ok, 2 invalid input, 3 a config errored, 130 interrupted.
Examples:
  streambench run                                 # the default scenario
  streambench run scenarios/batching.yaml --iterations 10
  streambench run scenarios/render.yaml --json --no-save > render.json`,
  )
  .action(async (scenarios: string[], options) => {
    process.exitCode = await runCommand(scenarios, options);
  });

program
  .command('compare')
  .description('Compare two result files: every config and metric present in both, with absolute and relative change')
  .argument('<base>', 'result file of the baseline run')
  .argument('<head>', 'result file of the run to check')
  .option(
    '--fail-on <rules...>',
    'exit 1 when a rule is breached, e.g. "ttftMs.p50>+10%" (grew by more than 10 %) or "counters.jsonOpsPerToken>0" (grew at all); comma-separate or repeat',
  )
  .option('--json', 'print the comparison as JSON')
  .addHelpText('after', '\nExit codes: 0 no rule breached, 1 a rule breached, 2 invalid input.')
  .action(async (base: string, head: string, options) => {
    process.exitCode = await compareCommand(base, head, options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not errors; everything else commander rejects is a usage error.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof CliError) {
    process.stderr.write(`streambench: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`streambench: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT.runFailed;
  }
}
