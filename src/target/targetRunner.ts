/**
 * A target-mode config, opened: the upstream listening, the app started (when the scenario
 * says how) and ready, the app's Redis watched. Runs the config's streams through the app
 * and closes everything it opened — the app and its whole process group included — whatever
 * happened.
 */
import { join, resolve } from 'node:path';
import { toClientSettings, type RunEnvironment } from '../run/buildPipeline.js';
import { BrowserPool } from '../pipeline/client/browser/browserPool.js';
import type { BrowserResourceReading } from '../pipeline/client/browser/browserProcesses.js';
import { resolveChromium } from '../pipeline/client/browser/chromiumLauncher.js';
import { readAppStreamInBrowser } from './browserAppStream.js';
import { DEFAULT_BROWSER_RENDER } from '../scenario/browserClientSupport.js';
import type { ResolvedConfig } from '../scenario/loadScenario.js';
import type { ConfigResult, IterationSample } from '../result/resultSchema.js';
import type { ConfigMeasurements } from '../stats/configMeasurements.js';
import { Distribution } from '../stats/distribution.js';
import { redactUrl } from '../pipeline/brokers/redis/urlSecrets.js';
import { StageUnavailableError } from '../run/stageUnavailableError.js';
import { type AppRedisCalls, AppRedisStats } from './appRedisStats.js';
import { hideCommandSecrets } from './describeTarget.js';
import { type AppProcess, freePort, startApp } from './appProcess.js';
import { readAppStream } from './appStream/readAppStream.js';
import { MarkerRegistry } from './markerMatching.js';
import { loopbackListener } from './appStream/reachable.js';
import { TargetMeasurements } from '../stats/targetMeasurements.js';
import type { TargetSettings } from '../scenario/targetSchema.js';
import { runTargetStream, type TargetStreamRun } from './targetStream.js';
import { type RunningUpstream, startUpstream, type UpstreamStreamRecord } from './upstreamServer.js';

/** What runConfig needs from an opened target config. */
export interface TargetRunner {
  runStream(streamIndex: number, streamId: string, signal?: AbortSignal): Promise<TargetStreamRun>;
  /** Before the measured streams: the Redis "before" snapshot. */
  beginMeasured(): Promise<void>;
  /** Adds a measured stream's target sample; its own counters join the stream's sample (`iterations[]`). */
  addMeasured(run: TargetStreamRun, sample: IterationSample | undefined): void;
  /** Right after the measured streams: the Redis "after" snapshot, and how the app fared. */
  endMeasured(): Promise<void>;
  /** The config's `target` block and extra counters into `metrics` (after close, from what was kept). */
  finish(result: ConfigResult, measurements: ConfigMeasurements): void;
  close(): Promise<void>;
}

/** Opens a target config; throws with a message a user can act on (the config is then errored), or at once when `signal` aborts. */
export async function openTargetRunner(config: ResolvedConfig, environment: RunEnvironment, signal?: AbortSignal): Promise<TargetRunner> {
  const settings = config.target as TargetSettings;
  const { clock } = environment;
  const registry = new MarkerRegistry<UpstreamStreamRecord>();
  const upstream: RunningUpstream = await startUpstream({ source: environment.source, clock, registry, host: settings.upstream.host, port: settings.upstream.port }).catch(
    (error: Error) => {
      throw new Error(`target.upstream: cannot listen on ${settings.upstream.host}:${settings.upstream.port} (${error.message}); choose another --upstream-port`);
    },
  );
  let app: AppProcess | null = null;
  let redisStats: AppRedisStats | null = null;
  let browserPool: BrowserPool | null = null;
  // How the app ended on its own, before streambench stopped it (null: it was still running).
  let exitedBeforeStop: string | null = null;
  const close = async () => {
    exitedBeforeStop = app?.exitDescription() ?? null;
    await app?.stop();
    await upstream.close();
    await redisStats?.close();
    // Every browser the config launched is closed, whatever happened (playwright kills them on a hard exit).
    await browserPool?.close();
  };
  try {
    const redisUrl = resolveRedisUrl(settings, environment);
    const appPort = settings.app ? (settings.app.port === 'auto' ? await freePort() : settings.app.port) : null;
    const fill = (text: string) =>
      text
        .replaceAll('{appPort}', String(appPort ?? ''))
        .replaceAll('{upstreamUrl}', upstream.url)
        .replaceAll('{redisUrl}', redisUrl ?? '');
    const url = fill(settings.url);
    if (settings.app) {
      const env: Record<string, string> = {
        OPENAI_BASE_URL: upstream.baseUrl,
        ANTHROPIC_BASE_URL: upstream.url,
        STREAMBENCH_UPSTREAM_URL: upstream.url,
        // SDKs refuse to start without a key; the upstream ignores it.
        OPENAI_API_KEY: process.env.OPENAI_API_KEY ?? 'streambench',
        ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY ?? 'streambench',
        PORT: String(appPort),
        ...(redisUrl && { REDIS_URL: redisUrl }),
      };
      for (const [name, value] of Object.entries(settings.app.env ?? {})) env[name] = fill(value);
      // Nothing of the app listens before it starts: an address that already answers is another
      // process, which readiness would accept and the streams would measure instead of the app.
      for (const [address, field] of [
        [url, '--url (target.url)'],
        [settings.app.readyUrl ? fill(settings.app.readyUrl) : `http://127.0.0.1:${appPort}`, settings.app.readyUrl ? '--ready-url (app.readyUrl)' : '--app-port (app.port)'],
      ] as const) {
        const listener = await loopbackListener(address);
        if (listener !== null) {
          throw new Error(
            `${field}: ${listener} already accepts connections before the app started: another process listens there, and streambench would measure it instead of the app; stop that process, or give the app a free port ({appPort} in --url and --ready-url picks one)`,
          );
        }
      }
      const logPath = resolve(settings.app.log ?? join(environment.appLogFolder ?? 'results', appLogName(environment.runId, config.name)));
      app = await startApp({
        command: settings.app.command,
        cwd: settings.app.cwd,
        env,
        logPath,
        readyUrl: settings.app.readyUrl ? fill(settings.app.readyUrl) : null,
        port: appPort!,
        readyTimeoutMs: settings.app.readyTimeoutMs,
        stopTimeoutMs: settings.app.stopTimeoutMs,
        signal,
      });
    }
    // After the app is ready: an app streambench starts may start its Redis too.
    if (redisUrl) redisStats = await AppRedisStats.open(redisUrl, clock);
    if (settings.client === 'browser') {
      const chromium = resolveChromium();
      // Like a browser config without Chromium: skipped, saying how to install it.
      if ('missing' in chromium) throw new StageUnavailableError(`target.client browser: ${chromium.missing}`);
      browserPool = await untilInterrupted(BrowserPool.start(chromium.path, { pagesPerContext: 10, contextsPerBrowser: 10 }, clock), signal, 'launching Chromium');
    }
    const renderSettings = settings.render ?? DEFAULT_BROWSER_RENDER;
    let browserAtStart: BrowserResourceReading | null = null;
    let browserCpuMs: number | null = null;
    let lastBrowserReadingMs = -Infinity;
    // Streams in flight learn at once when the app dies (one listener for all of them).
    const exitWatchers = new Set<(how: string) => void>();
    void app?.exited.then((how) => {
      for (const watcher of exitWatchers) watcher(how);
    });

    const measurements = new TargetMeasurements();
    const writeTimesMs: number[] = [];
    let calls: AppRedisCalls | null = null;
    let appExitedDuringRun: string | null = null;
    // The resume URL may name the app's port too.
    const resume = 'urlTemplate' in settings.resume && settings.resume.urlTemplate ? { ...settings.resume, urlTemplate: fill(settings.resume.urlTemplate) } : settings.resume;
    const context = {
      settings: { ...settings, resume },
      url,
      clock,
      registry,
      readAppStream,
      onAppExit: (callback: (how: string) => void) => {
        const exited = app?.exitDescription();
        if (exited) callback(exited);
        exitWatchers.add(callback);
        return () => exitWatchers.delete(callback);
      },
      appLog: app?.logPath ?? null,
      drainMs: settings.timeouts.idleMs,
      browser: browserPool && { pool: browserPool, render: toClientSettings({ type: 'browser', render: renderSettings }).render, read: readAppStreamInBrowser },
    };
    const runner: TargetRunner = {
      runStream: (streamIndex, streamId, signal) => runTargetStream(context, streamIndex, streamId, signal),
      beginMeasured: async () => {
        await redisStats?.begin(settings.redis?.keyspaceNotifications ?? false, settings.redis?.countSent ?? true);
        // The browsers' CPU over the measured streams (their processes, not the tool's).
        browserAtStart = browserPool?.resources() ?? null;
      },
      addMeasured: (run, sample) => {
        measurements.add(run.target, run.trace.tokenCount());
        if (sample?.counters) Object.assign(sample.counters, TargetMeasurements.streamCounters(run.target));
        for (let index = 0; index < run.trace.chunkCount; index++) writeTimesMs.push(run.trace.emitMsAt(index));
        // The browsers' memory, read as streams end, at most once a second.
        if (browserPool && clock.nowMs() - lastBrowserReadingMs >= 1000) {
          lastBrowserReadingMs = clock.nowMs();
          browserPool.resources();
        }
      },
      endMeasured: async () => {
        appExitedDuringRun = app?.exitDescription() ?? null;
        if (redisStats) calls = await redisStats.end();
        const browserAtEnd = browserPool?.resources() ?? null;
        if (browserAtStart && browserAtEnd) browserCpuMs = browserAtEnd.cpuMs - browserAtStart.cpuMs;
      },
      finish: (result, configMeasurements) => {
        measurements.setUnmatchedUpstreamRequests(upstream.unmatched.length);
        if (calls && redisStats) {
          measurements.setRedis(
            { url: redactUrl(redisStats.observedUrl), ...calls },
            settings.redis?.keyspaceNotifications ? writeLatencyOf(redisStats.writeTimesMs, writeTimesMs) : null,
          );
        }
        result.target = measurements.toResult({
          url: redactUrl(url),
          format: settings.format,
          upstreamUrl: upstream.baseUrl,
          app: app ? { command: hideCommandSecrets(settings.app!.command), log: app.logPath, exited: appExitedDuringRun ?? exitedBeforeStop } : null,
          thresholds: settings.verdict,
          addedLatency: configMeasurements.tokenLatencyDistribution(),
        });
        // Shard results carry the exact state, so `streambench merge` rebuilds the block.
        if (result.snapshot) result.target.snapshot = measurements.toSnapshot();
        if (result.metrics) Object.assign(result.metrics.counters, measurements.counters());
        // The client and its render strategy where every config names its client, for the render table's row
        // (a scenario mixing browser and node targets shows the node reader as rendering nothing).
        result.settings.client = browserPool ? { type: 'browser', render: renderSettings } : { type: 'node', render: { strategy: 'none' } };
        if (browserPool) {
          const tokens = measurements.tokenCount;
          if (result.metrics && browserCpuMs !== null && tokens > 0) result.metrics.counters.browserCpuUsPerToken = (browserCpuMs * 1000) / tokens;
          if (result.metrics) result.metrics.counters.browserMemoryMaxMB = browserPool.peakMemoryMB;
        }
      },
      close,
    };
    return runner;
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * `starting`, or an error as soon as `signal` aborts (Chromium takes seconds to launch: a Ctrl-C
 * does not wait for it). A browser that comes up after the stop is closed at once.
 */
async function untilInterrupted(starting: Promise<BrowserPool>, signal: AbortSignal | undefined, what: string): Promise<BrowserPool> {
  if (!signal) return starting;
  let onAbort: () => void = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`interrupted while ${what}`));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([starting, interrupted]);
  } catch (error) {
    void starting.then((pool) => pool.close()).catch(() => {});
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** The app's Redis URL: the scenario's, or the run's Redis for "auto"; null when none is named. */
function resolveRedisUrl(settings: TargetSettings, environment: RunEnvironment): string | null {
  if (!settings.redis) return null;
  if (settings.redis.url !== 'auto') return settings.redis.url;
  const redis = environment.redis;
  // Like a redis-* broker without Redis: the config is skipped, saying how to provide one.
  if (!redis || 'skipped' in redis)
    throw new StageUnavailableError(`target.redis.url is "auto" but no Redis is available: ${redis && 'skipped' in redis ? redis.skipped : 'give a redis:// URL'}`);
  return redis.url;
}

/** Each keyspace notification's time after the latest upstream write before it (observed from outside: a per-stage point, not per token). */
function writeLatencyOf(notificationsMs: number[], upstreamWritesMs: number[]) {
  const writes = [...upstreamWritesMs].sort((a, b) => a - b);
  const distribution = new Distribution();
  let index = 0;
  for (const atMs of [...notificationsMs].sort((a, b) => a - b)) {
    for (let next = writes[index + 1]; next !== undefined && next <= atMs; next = writes[index + 1]) index++;
    const latest = writes[index];
    if (latest !== undefined && latest <= atMs) distribution.record(atMs - latest);
  }
  return distribution;
}

/** The default name of a config's app log: `<runId>-<config>-app.log` (`<runId>-app.log` for `streambench target`'s config, named app). */
export function appLogName(runId: string, configName: string): string {
  return configName === 'app' ? `${runId}-app.log` : `${runId}-${configName}-app.log`;
}
