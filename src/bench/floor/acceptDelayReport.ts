/**
 * `node dist/bench/floor/acceptDelayReport.js <log>`: pairs an acceptDelayLog.js log's client
 * connects with the server's accepts by port and prints the accept delay (server accept −
 * client connected) p50, p90, p99 and max, and how many connections were paired.
 */
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: acceptDelayReport.js <log>\n');
  process.exit(2);
}
const connected = new Map<string, number>();
const accepted = new Map<string, number>();
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const [kind, port, ms] = line.split(' ');
  if (!port || !ms) continue;
  (kind === 'c' ? connected : accepted).set(port, Number(ms));
}
const delays: number[] = [];
for (const [port, connectedMs] of connected) {
  const acceptedMs = accepted.get(port);
  if (acceptedMs !== undefined) delays.push(acceptedMs - connectedMs);
}
delays.sort((a, b) => a - b);
const at = (share: number) => delays[Math.min(delays.length - 1, Math.floor(share * delays.length))] ?? Number.NaN;
process.stdout.write(
  `accept delay over ${delays.length} connections (of ${connected.size} connected): p50 ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, max ${(delays.at(-1) ?? Number.NaN).toFixed(0)} ms\n`,
);
