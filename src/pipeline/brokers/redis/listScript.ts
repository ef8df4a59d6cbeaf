/**
 * The `eval` write mode: one Lua script does RPUSH (+ EXPIRE on the first write) + PUBLISH,
 * and on the last write the END_STREAM publish too, so each write is one command and one
 * round trip (LibreChat's fix: per-delta commands folded into one EVAL).
 */
import { createHash } from 'node:crypto';
import { arrayHeaderBytes, bulkStringBytes, type RespCommand } from './respBytes.js';
import type { StreamConnection } from './streamConnection.js';
import { END_STREAM, NEW_SIGNAL, type StreamKeys } from './keys.js';

// KEYS[1] the list. ARGV[1] TTL seconds ('0': leave the TTL alone), ARGV[2] signal channel,
// ARGV[3] control channel ('' unless this write ends the stream), ARGV[4] the signal message,
// ARGV[5] END_STREAM, ARGV[6..] the items. Channels go in ARGV: they are not keys.
const SCRIPT = `local length = redis.call('RPUSH', KEYS[1], unpack(ARGV, 6))
if ARGV[1] ~= '0' then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[4])
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[5]) end
return length`;

/** `$0\r\n\r\n`: the empty control channel of a write that does not end the stream. */
const EMPTY_WORD_BYTES = bulkStringBytes('');

const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** Runs the list write script on one connection: EVAL the first time, EVALSHA after. */
export class ListWriteScript {
  private loaded = false;
  /**
   * RESP bytes of the words every EVALSHA of this stream sends alike (name, SHA, key count, key,
   * signal channel, the two messages), counted once: the connection counts each write's size,
   * and only the TTL, the control channel and the items differ from one write to the next.
   */
  private readonly evalshaFixedBytes: number;
  private readonly controlChannelBytes: number;

  constructor(
    private readonly connection: StreamConnection,
    private readonly keys: StreamKeys,
  ) {
    this.evalshaFixedBytes = ['evalsha', SCRIPT_SHA, '1', keys.responses, keys.signalChannel, NEW_SIGNAL, END_STREAM].reduce((sum, word) => sum + bulkStringBytes(word), 0);
    this.controlChannelBytes = bulkStringBytes(keys.controlChannel);
  }

  /**
   * Appends `items`, signals, and ends the stream when `ends`; sets the TTL when `ttlSeconds`
   * > 0. Resolves with the list length after the push.
   */
  run(items: readonly string[], options: { ttlSeconds: number; ends: boolean }): Promise<number> {
    if (!this.loaded) return this.evalScript(items, options);
    // Chained rather than an async function: one write per batch of every stream comes here.
    return (this.connection.send(this.command('evalsha', SCRIPT_SHA, items, options), 0, this.evalshaBytes(items, options)) as Promise<number>).then(
      undefined,
      (error: unknown) => {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return this.evalScript(items, options);
      },
    );
  }

  /** EVAL with the script's text (the first write, or after the server's script cache was flushed); EVALSHA from then on. */
  private async evalScript(items: readonly string[], options: { ttlSeconds: number; ends: boolean }): Promise<number> {
    const length = (await this.connection.send(this.command('eval', SCRIPT, items, options))) as number;
    this.loaded = true;
    return length;
  }

  /** commandBytes of the EVALSHA command() builds for `items` and `options`, from the words counted once. */
  evalshaBytes(items: readonly string[], options: { ttlSeconds: number; ends: boolean }): number {
    let total = arrayHeaderBytes(9 + items.length) + this.evalshaFixedBytes + bulkStringBytes(String(options.ttlSeconds));
    total += options.ends ? this.controlChannelBytes : EMPTY_WORD_BYTES;
    for (let i = 0; i < items.length; i++) total += bulkStringBytes(items[i]!);
    return total;
  }

  /**
   * The command's words, filled in one array by index: spreads of the items (arrays of several
   * element kinds) deoptimised `run` in each fresh process.
   */
  private command(name: string, script: string, items: readonly string[], options: { ttlSeconds: number; ends: boolean }): RespCommand {
    // The control channel is read whether or not this write ends the stream: read only on the
    // last write, it had no type feedback when `run` was optimised, and the end deoptimised it.
    const { responses, signalChannel, controlChannel } = this.keys;
    const command: [string, ...(string | number)[]] = [name, script, 1, responses, options.ttlSeconds, signalChannel, options.ends ? controlChannel : '', NEW_SIGNAL, END_STREAM];
    for (let i = 0; i < items.length; i++) command.push(items[i]!);
    return command;
  }
}
