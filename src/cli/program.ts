/** The `streambench` program: its commands, options and help, and main(), which runs one invocation against an io. */
import { Command, CommanderError, Option } from './commander.js';
import { addGateOptions } from './gateOptions.js';
import { DEFAULT_SCENARIO } from './defaultScenario.js';
import { CliError, EXIT } from './exitCodes.js';
import { shardOption, shareOfOne, wholeNumber } from './parseOptions.js';
import { formatOption } from './outputFormat.js';
import { httpApis } from '../sources/http/httpApis.js';
import { profileNames } from '../sources/profiles.js';
import { escapeControlCharacters } from './escapeControl.js';
import type { CliIo } from './io.js';
import { TOOL_VERSION } from '../run/toolVersion.js';
import { APP_FORMATS } from '../scenario/appFormats.js';
import { ITERATIONS_MAX, TOKENS_MAX, WARMUP_MAX } from '../input/inputLimits.js';

const ITERATIONS_WHY = 'every measured stream keeps a sample in memory and in the result file';

// Every command's module is imported in its action, not here: `--help`, `compare` and `report`
// should not pay for the tokenizer tables, Redis and HTTP clients or the markdown lexer that
// only `run`, `sweep`, `record` and `mock-server` use (docs/reports.md, npm run bench:startup).
// Options and help text stay here, so `--help` needs nothing else. One registration per command.

/** Adds `streambench run`. */
function registerRun(program: Command, io: CliIo, finish: (code: number) => void): void {
  const runCommandDefinition = program
    .command('run')
    .description(`Run benchmark scenarios (default: ${DEFAULT_SCENARIO}), print tables and save result JSON`)
    .argument('[scenario...]', 'scenario files (.yaml or .json)')
    .option('--json', 'print the result document on stdout (tables go to stderr)')
    .option('--out <path>', 'where to save: a .json file, or a folder (default: results/<scenario>-<UTC time>.json)')
    .option('--no-save', 'do not write a result file')
    .option('--force', "run even when the estimate of the run's memory exceeds what the machine has")
    .addOption(
      new Option('--streams <n>', "measured streams per config (overrides the scenario's streams, and load.streams of a config under load)").argParser(
        wholeNumber(1, ITERATIONS_MAX, ITERATIONS_WHY),
      ),
    )
    .addOption(new Option('--iterations <n>', 'the old name of --streams').argParser(wholeNumber(1, ITERATIONS_MAX, ITERATIONS_WHY)).hideHelp())
    .addOption(new Option('--warmup <n>', 'warm-up streams per config (overrides the scenario)').argParser(wholeNumber(0, WARMUP_MAX)))
    .addOption(new Option('--seed <n>', 'random seed (overrides the scenario)').argParser(wholeNumber(0)))
    .option(
      '--redis <url|auto|private|off>',
      'Redis for the redis-* brokers: a redis:// or rediss:// URL, "auto" (REDIS_URL, else 127.0.0.1:6379, else a private redis-server from PATH), "private" (always a private redis-server from PATH) or "off" (skip those configs)',
      'auto',
    )
    .option('--redis-file <path>', 'read the Redis URL from this file (keeps a password out of the process list; REDIS_URL with --redis auto does too)')
    .addOption(
      new Option(
        '--broker <auto|memory>',
        'memory: run the redis-* configs on the in-process memory broker; auto (default): only when --redis auto finds no Redis and cannot start one',
      )
        .choices(['auto', 'memory'])
        .default('auto'),
    )
    .option('-q, --quiet', 'print nothing but errors')
    .option('--baseline <file>', "compare this run with a result file, as `streambench compare` does, using the scenario's gates and the gate options below")
    .option('--csv <file>', 'also write the result as CSV (one row per config, one column per metric)')
    .option('--allow-partial', 'accept an interrupted or incomplete --baseline file')
    .addOption(
      new Option(
        '--shard <i/n>',
        'run only share i of n of every config\'s measured streams (1-based), for loading one system from n machines; combine with `streambench merge`. "env": the 0-based index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or STREAMBENCH_SHARD_INDEX, the count from STREAMBENCH_SHARD_COUNT',
      ).argParser(shardOption(io.env)),
    );
  addGateOptions(runCommandDefinition)
    .addHelpText(
      'after',
      `
  With --format json and --baseline, stdout holds {"result": …, "comparison": …}. A progress bar shows on stderr
  when it is a terminal (not with a machine format); elsewhere a progress line every 5 s once a run takes 10 s
  (never with --quiet). Without Redis (and no redis-server on PATH) the redis-* configs run on the memory broker.
  Exit codes: 0 ok, 1 a gate regressed against --baseline, 2 invalid input, 3 a config errored or nothing was
  measured, 130 interrupted.
  Examples:
    streambench run                                 # the default scenario
    streambench run scenarios/batching.yaml --streams 10
    streambench run scenarios/render.yaml --json --no-save > render.json
    streambench run --streams 10 --baseline baseline.json --format markdown >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action(async (scenarios: string[], options) => {
      const { runCommand } = await import('./runCommand.js');
      finish(await runCommand(scenarios, options, io));
    });
}

/** Adds `streambench compare`. */
function registerCompare(program: Command, io: CliIo, finish: (code: number) => void): void {
  addGateOptions(
    program
      .command('compare')
      .description(
        'Decide whether HEAD regressed against BASE: per config and gate, time metrics by a bootstrap CI of the difference of\n' +
          'medians over the per-stream samples, counters exactly; verdicts improved / unchanged / regressed / inconclusive',
      )
      .argument('<base>', 'result file of the baseline run')
      .argument('<head>', 'result file of the run to check'),
  )
    .option('--json', 'same as --format json')
    .option('--allow-partial', 'accept interrupted or incomplete result files (refused by default: they are not a whole run)')
    .addHelpText(
      'after',
      `
  Gates come from the head run's scenario (gates:), then --gate; with neither, the defaults: every per-stream time
  metric at +10 % and every counted cost exactly (CPU per token is left out: gate it with --gate). See docs/ci.md.
  Exit codes: 0 no regression, 1 a gate regressed or a --fail-on rule was breached, 2 invalid input (missing file,
  schemaVersion mismatch, configs that do not match).
  Examples:
    streambench compare base.json head.json
    streambench compare base.json head.json --gate tokenLatencyP99Ms:15% --format markdown >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action(async (base: string, head: string, options) => {
      const { compareCommand } = await import('./compareCommand.js');
      finish(await compareCommand(base, head, options, io));
    });
}

/** Adds `streambench record`. */
function registerRecord(program: Command, io: CliIo, finish: (code: number) => void): void {
  program
    .command('record')
    .description('Record streaming responses of an LLM endpoint (or the mock server) as a trace file for the replay source')
    .requiredOption(
      '--url <baseUrl>',
      'API base URL up to its version segment, e.g. https://api.openai.com/v1 or http://127.0.0.1:8400/v1 (for --api anthropic, https://api.anthropic.com works too: /v1 is added)',
    )
    .addOption(new Option('--api <api>', 'wire protocol').choices(httpApis).default('openai-chat'))
    .option('--model <name>', 'model name', 'streambench-mock')
    .option('--prompt <text>', 'the prompt (default: a ~300-word explanation request)')
    .addOption(new Option('--max-tokens <n>', 'max_tokens of each request (default 512)').argParser(wholeNumber(1)))
    .option('--api-key-env <NAME>', 'name of the environment variable holding the API key (never the key itself)')
    .option('--include-usage', "ask for the server's token usage (stream_options.include_usage) and record it")
    .addOption(new Option('--requests <n>', 'streams to record, one request each, one after another').argParser(wholeNumber(1)).default(1))
    .requiredOption('--out <path>', 'trace file to write (.jsonl), e.g. traces/my-model.jsonl')
    .option('--note <text>', 'free text stored verbatim in the trace header (do not put secrets in it)')
    .option('--synthetic', 'label the trace synthetic (automatic when the server is a streambench mock server)')
    .addHelpText(
      'after',
      `
  Exit codes: 0 written, 2 invalid input, 3 a request failed (nothing is written).
  Examples:
    OPENAI_API_KEY=... streambench record --url https://api.openai.com/v1 --model gpt-4o-mini \\
        --api-key-env OPENAI_API_KEY --include-usage --requests 5 --out traces/gpt-4o-mini.jsonl
    streambench record --url http://127.0.0.1:8400/v1 --requests 3 --out traces/mock.jsonl`,
    )
    .action(async (options) => {
      const { recordCommand } = await import('./recordCommand.js');
      finish(await recordCommand(options, io));
    });
}

/** Adds `streambench mock-server`. */
function registerMockServer(program: Command, io: CliIo, finish: (code: number) => void): void {
  program
    .command('mock-server')
    .description('Serve OpenAI-compatible and Anthropic streaming endpoints with synthetic text and timing, for testing without a provider')
    .addOption(new Option('--port <n>', 'port to listen on (0: a free port)').argParser(wholeNumber(0, 65535, 'TCP ports end at 65535')).default(0))
    .option('--host <host>', 'address to bind (loopback by default; the server has no authentication)', '127.0.0.1')
    .addOption(new Option('--profile <name>', 'timing profile (default fast-hosted)').choices(profileNames))
    .addOption(new Option('--seed <n>', 'seed of text and timing').argParser(wholeNumber(0)).default(1))
    .addOption(new Option('--tokens <n>', 'tokens per stream (default 200)').argParser(wholeNumber(1, TOKENS_MAX)))
    .addOption(new Option('--ttft-ms <n>', "constant time to the first token, ms (default: the profile's)").argParser(wholeNumber(0)))
    .addOption(new Option('--gap-ms <n>', "constant gap between chunks, ms (default: the profile's)").argParser(wholeNumber(0)))
    .addOption(new Option('--reasoning-tokens <n>', 'reasoning tokens streamed before the answer (default 0)').argParser(wholeNumber(0)))
    .addOption(new Option('--fail-rate <r>', 'share of requests answered with --fail-status (0–1)').argParser(shareOfOne))
    .addOption(new Option('--fail-status <status>', 'status of failed requests').choices(['429', '500']))
    .addOption(new Option('--stall-ms <n>', 'pause this many ms mid-stream').argParser(wholeNumber(1)))
    .addOption(new Option('--stall-after <n>', 'chunks before the stall (default 1)').argParser(wholeNumber(0)))
    .addOption(new Option('--drop-after <n>', 'close the connection abruptly after N chunks').argParser(wholeNumber(0)))
    .addOption(new Option('--malformed-every <n>', 'send a cut-short event after every N-th chunk').argParser(wholeNumber(1)))
    .option('-q, --quiet', 'print only the listening line')
    .addHelpText(
      'after',
      `
  Request n (counting from 0) streams stream n of the seed; a request header
  "x-streambench-stream: <i>" asks for stream i instead. Stops on SIGINT/SIGTERM.
  Examples:
    streambench mock-server --port 8400 --profile slow-local
    streambench mock-server --port 8400 --fail-rate 0.2 --fail-status 500 --stall-ms 2000 --stall-after 10`,
    )
    .action(async (options) => {
      const { mockServerCommand } = await import('./mockServerCommand.js');
      finish(await mockServerCommand(options, io));
    });
}

/** Adds `streambench sweep`. */
function registerSweep(program: Command, io: CliIo, finish: (code: number) => void): void {
  program
    .command('sweep')
    .description(
      'Run a grid of pipeline settings, mark the Pareto front (token latency p99, events per token; CPU per token shown, not deciding) and recommend one when the points differ beyond their noise',
    )
    .argument('<scenario>', 'scenario file; the grid starts from its base pipeline, or from --variant')
    .option(
      '--param <path=values>',
      "a pipeline field by dotted path and the values to try, e.g. batch.size=1,2,5,10, or a load field, e.g. load.concurrency=100,300,600; repeat for a grid (default: the scenario's sweep: block)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--variant <name>', 'start every point from this variant of the scenario')
    .addOption(
      new Option('--streams <n>', "measured streams per point (overrides the scenario's streams, and load.streams under load)").argParser(
        wholeNumber(1, ITERATIONS_MAX, ITERATIONS_WHY),
      ),
    )
    .addOption(new Option('--iterations <n>', 'the old name of --streams').argParser(wholeNumber(1, ITERATIONS_MAX, ITERATIONS_WHY)).hideHelp())
    .addOption(new Option('--warmup <n>', 'warm-up streams per point (overrides the scenario)').argParser(wholeNumber(0, WARMUP_MAX)))
    .addOption(new Option('--seed <n>', 'random seed (overrides the scenario)').argParser(wholeNumber(0)))
    .option('--redis <url|auto|private|off>', 'Redis for the redis-* brokers (as for run)', 'auto')
    .option('--redis-file <path>', 'read the Redis URL from this file (as for run)')
    .addOption(new Option('--broker <auto|memory>', 'memory: run the redis-* configs on the in-process memory broker (as for run)').choices(['auto', 'memory']).default('auto'))
    .option('--force', "run even when the estimate of the run's memory exceeds what the machine has")
    .option(
      '--latency-budget <allowance>',
      'recommend the cheapest front point whose token latency p99 is within this of the best: ms (default 16.7, one frame at 60 Hz) or a percentage (10%)',
    )
    .option('--out <file>', 'where to save the result (default: results/<scenario>-sweep-<UTC time>.json)')
    .option('--no-save', 'do not write a result file')
    .option('--json', 'same as --format json')
    .addOption(formatOption())
    .option('--wide', 'print every column (default: the columns that fit the terminal, COLUMNS, or 120 when not a terminal)')
    .option('--verbose', 'print every warning, not one line per kind')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
  Exit codes: 0 ok, 2 invalid input (a bad path or value names the --param), 3 a point errored, 130 interrupted.
  Examples:
    streambench sweep scenarios/sweep.yaml                     # its sweep: block, 16 points in ~20 s
    streambench sweep scenarios/default.yaml --variant seed-corrected --param batch.size=1,2,5,10 --param batch.timeoutMs=10,25,50,100 --streams 2
    streambench sweep scenarios/load.yaml --variant corrected-600 --param load.concurrency=150,300,600   # 600 streams at each level`,
    )
    .action(async (scenario: string, options) => {
      const { sweepCommand } = await import('./sweepCommand.js');
      finish(await sweepCommand(scenario, options, io));
    });
}

/** Adds `streambench report`. */
function registerReport(program: Command, io: CliIo, finish: (code: number) => void): void {
  program
    .command('report')
    .description('Print the tables of a saved result; write a self-contained HTML report (charts as inline SVG) or CSV')
    .argument('<result>', 'result file written by streambench run')
    .option('--html <file>', "write the HTML report here: per-stage latency breakdown, token-latency CDF, one stream's timeline per config")
    .option('--csv <file>', 'write the result as CSV here (one row per config, one column per metric)')
    .option('--json', 'same as --format json')
    .addOption(formatOption())
    .option('--wide', 'print every column (default: the columns that fit the terminal, COLUMNS, or 120 when not a terminal)')
    .option('--verbose', 'print every warning, not one line per kind')
    .option('-q, --quiet', 'print nothing on stdout')
    .addHelpText('after', '\nExit codes: 0 ok, 2 invalid input.\nExample:\n  streambench report results/default-20261124T013000Z.json --html report.html')
    .action(async (result: string, options) => {
      const { reportCommand } = await import('./reportCommand.js');
      finish(await reportCommand(result, options, io));
    });
}

/** Adds `streambench target`. */
function registerTarget(program: Command, io: CliIo, finish: (code: number) => void): void {
  const targetCommandDefinition = program
    .command('target')
    .description('Measure your own app: streambench serves its model upstream and reads its streamed answer as the browser would')
    .requiredOption('--url <url>', "the app's streaming endpoint, e.g. http://127.0.0.1:3000/api/chat")
    .addOption(
      new Option('--format <format>', 'the wire format the app streams to its browser (not the output format: see --output-format)').choices(APP_FORMATS).makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--upstream-port <n>',
        'port of the upstream the app calls (point its OPENAI_BASE_URL at http://127.0.0.1:<n>/v1); 0 picks a free one (default: 8400, or 0 with --app-command, which passes the URL to the app)',
      ).argParser(wholeNumber(0, 65535, 'a TCP port; 0 picks a free one')),
    )
    .option('--upstream-host <host>', 'address the upstream listens on', '127.0.0.1')
    .addOption(new Option('--method <method>', 'request method').choices(['GET', 'POST', 'get', 'post']))
    .option('--header <name: value>', 'a request header (repeatable); values never reach results or logs', (value: string, previous: string[] = []) => [...previous, value])
    .option(
      '--body <template>',
      'request body: JSON (sent as JSON) or text, with {{prompt}} (prompt + marker), {{marker}}, {{streamId}} filled in (default: {"messages":[{"role":"user","content":"{{prompt}}"}]})',
    )
    .option('--prompt <text>', 'the user prompt; the unique marker is appended to it')
    .option('--text-path <path>', 'dot path to the text field (formats sse, ndjson, websocket), e.g. choices.0.delta.content')
    .option('--done-path <path>', 'dot path to a field that marks the end of the stream (sse, ndjson, websocket)')
    .option(
      '--app-command <command>',
      'start the app with this shell command (it gets OPENAI_BASE_URL, ANTHROPIC_BASE_URL, STREAMBENCH_UPSTREAM_URL, PORT) and stop it and its children at the end; {appPort} in --url is filled in',
    )
    .option('--app-cwd <dir>', 'working directory for --app-command')
    .addOption(new Option('--app-port <n>', 'the port passed to the app as PORT (default: a free one)').argParser(wholeNumber(1, 65535, 'a TCP port')))
    .option('--ready-url <url>', 'with --app-command: GET this until 2xx before measuring (default: wait for the app port to accept connections)')
    .addOption(new Option('--ready-timeout <ms>', 'how long the app may take to become ready').argParser(wholeNumber(1)))
    .option(
      '--app-redis <url>',
      'the Redis the app uses: its commands per token by type, sent (MONITOR, script commands left out) and executed (INFO commandstats deltas); writes nothing',
    )
    .option('--keyspace-notifications', "with --app-redis: enable keyspace notifications on that Redis (restored after) to time the app's writes")
    .addOption(new Option('--profile <name>', 'synthetic timing profile of the upstream streams').choices(profileNames).default('fast-hosted'))
    .addOption(new Option('--tokens <n>', 'tokens per upstream stream').default(100).argParser(wholeNumber(1)))
    .option('--trace <file>', 'replay a recorded trace as the upstream streams instead of a synthetic profile')
    .addOption(
      new Option(
        '--client <client>',
        "who reads the app's answer: node (streambench's readers, every format) or browser (a page in headless Chromium: fetch/EventSource/WebSocket, markdown rendered into the DOM, paint metrics; formats openai-sse, anthropic-sse, ai-sdk-ui, sse, websocket)",
      ).choices(['node', 'browser']),
    )
    .option('--render <strategy>', 'with --client browser: when the page renders: every (default), debounce:MS, throttle:MS or frame')
    .addOption(new Option('--delay-threshold <ms>', 'verdict "delays" when the added latency per token is at least this at p10 (default 3)').argParser(Number))
    .option('--name <name>', 'name of the result (file name and tables)', 'target')
    .option('--json', 'print the result document on stdout (tables go to stderr)')
    .option('--out <path>', 'where to save: a .json file, or a folder (default: results/<name>-<UTC time>.json)')
    .option('--no-save', 'do not write a result file')
    .addOption(new Option('--streams <n>', 'measured streams (default 5)').argParser(wholeNumber(1)))
    .addOption(new Option('--iterations <n>', 'the old name of --streams').argParser(wholeNumber(1)).hideHelp())
    .addOption(new Option('--warmup <n>', 'warm-up streams (default 1)').argParser(wholeNumber(0)))
    .addOption(new Option('--seed <n>', 'random seed of the upstream streams').argParser(wholeNumber(0)))
    .option('-q, --quiet', 'print nothing but errors')
    .option('--baseline <file>', 'compare this run with a result file, as `streambench compare` does')
    .option('--allow-partial', 'accept an interrupted or incomplete --baseline file')
    .option('--force', "run even when the estimate of the run's memory exceeds what the machine has")
    .option('--csv <file>', 'also write the result as CSV');
  addGateOptions(targetCommandDefinition, '--output-format <format>')
    .addHelpText(
      'after',
      `
  --format is the app's wire format (openai-sse, anthropic-sse, ai-sdk-ui, ai-sdk-data, sse, ndjson, text, websocket);
  the output format that \`run --format\` sets is --output-format here. Every prompt carries a unique marker the upstream
  finds in the request the app forwards; see docs/target.md for what is measured and the verdicts.
  Exit codes: 0 ok, 1 a gate regressed against --baseline, 2 invalid input, 3 the app failed (unreachable, non-2xx,
  unparseable answer, never called the upstream, crashed, lost text), 130 interrupted.
  Examples:
    streambench target --upstream-port 8400 --url http://127.0.0.1:3000/api/chat --format ai-sdk-ui
    streambench target --upstream-port 8400 --url http://127.0.0.1:3000/api/chat --format ai-sdk-ui --client browser --render frame
    streambench target --upstream-port 0 --app-command "node examples/field-relay.mjs" \\
      --url http://127.0.0.1:{appPort}/api/chat --format sse --text-path content@json.content --done-path status --app-redis redis://127.0.0.1:6379`,
    )
    .action(async (options) => {
      const { targetCommand } = await import('./targetCommand.js');
      finish(await targetCommand(options, io));
    });
}

/** Adds `streambench merge`. */
function registerMerge(program: Command, io: CliIo, finish: (code: number) => void): void {
  program
    .command('merge')
    .description("Combine the result files of shard runs (run --shard i/n) into one: histograms merged exactly, counters summed, each shard's context kept")
    .argument('<shards...>', 'result files of `streambench run --shard i/n`, one per shard')
    .requiredOption('--out <file>', 'where to write the merged result')
    .option('--allow-partial', 'accept interrupted or incomplete shard files (refused by default)')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 2 invalid input (not shard results, different scenarios, a shard given twice).\nExample:\n  streambench merge shard-1.json shard-2.json shard-3.json --out merged.json',
    )
    .action(async (shards: string[], options) => {
      const { mergeCommand } = await import('./mergeCommand.js');
      finish(await mergeCommand(shards, options, io));
    });
}

/** Every command's registration, in the order help lists them. */
const REGISTRATIONS: Record<string, (program: Command, io: CliIo, finish: (code: number) => void) => void> = {
  run: registerRun,
  compare: registerCompare,
  record: registerRecord,
  'mock-server': registerMockServer,
  sweep: registerSweep,
  report: registerReport,
  target: registerTarget,
  merge: registerMerge,
};

/**
 * The command `argv` runs when it names one of `commands` first and asks for no help anywhere
 * (help, and errors for an unknown command, list every command: then undefined).
 */
function soleCommand(argv: readonly string[], commands: readonly string[]): string | undefined {
  const [first] = argv;
  if (first === undefined || !commands.includes(first)) return undefined;
  return argv.some((argument) => argument === '-h' || argument === '--help') ? undefined : first;
}

/** The program for one invocation, and the exit code its action set (0 for help and version). */
function createProgram(argv: readonly string[], io: CliIo): { program: Command; exitCode(): number } {
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name('streambench')
    .description(
      'Benchmark LLM token-stream relay pipelines: drive token streams through configurable relay\n' + 'pipelines, time every token at every stage, and compare configurations.',
    )
    .version(TOOL_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Commander neither exits nor writes to the process: usage errors, help and the version go
    // to io, and main turns them into exit codes. Commands added below inherit both settings.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander's own defaults, read from io: undefined means "not a terminal".
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) as number,
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) as number,
    });

  // One registration per command, in the order help lists them. An invocation of one command
  // that asks for no help registers only that one: commander splits each option's flags as it is
  // added, 2–3 ms of every start for all eight commands (npm run bench:startup).
  const finish = (code: number) => {
    exitCode = code;
  };
  const only = soleCommand(argv, Object.keys(REGISTRATIONS));
  for (const [name, register] of Object.entries(REGISTRATIONS)) if (only === undefined || name === only) register(program, io, finish);

  return { program, exitCode: () => exitCode };
}

/**
 * Runs one invocation: `argv` are the user's arguments (process.argv without node and the
 * script); every output goes to `io`. Returns the exit code; never exits the process.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const { program, exitCode } = createProgram(argv, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode();
  } catch (error) {
    // Help and version are not errors; everything else commander rejects is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      io.stderr.write(`streambench: ${escapeControlCharacters(error.message)}\n`);
      return error.exitCode;
    }
    io.stderr.write(`streambench: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.runFailed;
  }
}
