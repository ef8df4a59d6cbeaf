/**
 * `npm run bench:target`: target mode's zero check and its delay check. The client pointed
 * straight at streambench's own upstream (no app between) must add almost nothing — added
 * latency per token ≤ 0.3 ms at p50 and ≤ 1 ms at p99, time to first token added ≤ 0.5 ms —
 * and the example proxy adding 5 ms per chunk must show +5 ms ± 1 at p50 over the same proxy
 * streaming straight through. Prints a table; exits 1 when a target is missed (figures from a
 * quiet machine only mean something).
 */
import Table from 'cli-table3';
import { runScenario } from '../run/runScenario.js';
import { resolveScenario } from '../scenario/loadScenario.js';
import type { ConfigResult } from '../result/resultSchema.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 10);
const OPENAI_BODY = { model: 'bench', stream: true, messages: [{ role: 'user', content: '{{prompt}}' }] };
const proxy = (flags: string) => ({
  url: 'http://127.0.0.1:{appPort}/v1/chat/completions',
  format: 'openai-sse',
  body: OPENAI_BODY,
  app: { command: `node examples/proxy.mjs ${flags}`.trim(), env: { TARGET_URL: '{upstreamUrl}' }, readyUrl: 'http://127.0.0.1:{appPort}/health' },
});

const scenario = resolveScenario(
  {
    name: 'bench-target',
    seed: 1,
    iterations: ITERATIONS,
    warmup: 2,
    source: { type: 'synthetic', profile: 'fast-hosted', tokens: 200, ttftMs: 50, gapMs: 10 },
    variants: [
      { name: 'direct', target: { url: '{upstreamUrl}/v1/chat/completions', format: 'openai-sse', body: OPENAI_BODY } },
      { name: 'proxy', target: proxy('') },
      { name: 'proxy-delay-5ms', target: proxy('--delay-ms 5') },
    ],
  },
  'bench:target',
  'bench',
);

const document = await runScenario(scenario);
const byName = new Map(document.configs.map((config) => [config.name, config]));
const p = (config: ConfigResult | undefined, statistic: 'p50' | 'p99') => config?.metrics?.tokenLatencyMs?.[statistic] ?? NaN;
const ttftAdded = (config: ConfigResult | undefined) => config?.target?.ttftAddedMs?.p50 ?? NaN;

const table = new Table({ head: ['config', 'state', 'added/token p50 (ms)', 'p99 (ms)', 'TTFT added p50 (ms)', 'verdict'], style: { head: [], border: [], compact: true } });
for (const config of document.configs) {
  table.push([config.name, config.state, p(config, 'p50').toFixed(3), p(config, 'p99').toFixed(3), ttftAdded(config).toFixed(3), config.target?.verdict.kind ?? '—']);
}
console.log(table.toString());

const direct = byName.get('direct');
const delayShift = p(byName.get('proxy-delay-5ms'), 'p50') - p(byName.get('proxy'), 'p50');
const checks = [
  { text: `zero check: added latency p50 ${p(direct, 'p50').toFixed(3)} ms ≤ 0.3`, met: p(direct, 'p50') <= 0.3 },
  { text: `zero check: added latency p99 ${p(direct, 'p99').toFixed(3)} ms ≤ 1`, met: p(direct, 'p99') <= 1 },
  { text: `zero check: TTFT added p50 ${ttftAdded(direct).toFixed(3)} ms ≤ 0.5`, met: ttftAdded(direct) <= 0.5 },
  { text: `delay check: proxy --delay-ms 5 minus proxy, p50 ${delayShift.toFixed(3)} ms within 5 ± 1`, met: Math.abs(delayShift - 5) <= 1 },
];
for (const check of checks) console.log(`${check.met ? 'met   ' : 'MISSED'} ${check.text}`);
console.log(`(${ITERATIONS} streams of 200 tokens per config, 10 ms between chunks; on a busy machine the figures say little)`);
if (document.configs.some((config) => config.state !== 'completed') || checks.some((check) => !check.met)) process.exitCode = 1;
