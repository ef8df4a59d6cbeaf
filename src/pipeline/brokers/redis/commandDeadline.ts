/**
 * Every Redis command the tool awaits gets a deadline. A Redis that stops answering without
 * closing its sockets (a paused process, a network partition) would otherwise leave a stream,
 * and the run, waiting forever: the kernel still accepts the bytes, so no error ever comes.
 * A command that gets no reply in time, or whose connection fails, rejects with an error that
 * names the role, the command and the redacted URL; replies the server sent (ReplyError:
 * WRONGTYPE, NOSCRIPT...) pass through unchanged, since callers act on them.
 */
import { ReplyError } from 'ioredis';

/** How long a Redis command may go unanswered when the scenario does not say (`broker.commandTimeoutMs`). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

/** Who waits, on which server, and for how long. */
export interface CommandDeadline {
  /** producer, consumer, subscriber, admin… */
  role: string;
  redactedUrl: string;
  timeoutMs: number;
}

/** A Redis command failed for want of an answer or a connection (not an error reply). */
export class RedisCommandError extends Error {
  override readonly name = 'RedisCommandError';
}

/**
 * Awaits `reply` for at most `deadline.timeoutMs + extraMs` (extraMs: time the command is meant
 * to wait, such as XREAD BLOCK). `command` is the command's name, for the message.
 */
export function awaitReply<T>(reply: Promise<T>, deadline: CommandDeadline, command: string, extraMs = 0): Promise<T> {
  const limitMs = deadline.timeoutMs + extraMs;
  const name = command.toUpperCase();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new RedisCommandError(
          `Redis ${deadline.role}: ${name} got no reply from ${deadline.redactedUrl} within ${limitMs} ms ` +
            '(the server is paused, overloaded or unreachable; broker.commandTimeoutMs sets this deadline)',
        ),
      );
    }, limitMs);
    reply.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(namedFailure(error, deadline, name));
      },
    );
  });
}

/** A reply error unchanged; anything else (a closed connection…) named with role, command and URL. */
export function namedFailure(error: unknown, deadline: CommandDeadline, name: string): unknown {
  if (error instanceof ReplyError || error instanceof RedisCommandError) return error;
  const cause = error instanceof Error ? error.message : String(error);
  return new RedisCommandError(`Redis ${deadline.role}: ${name} to ${deadline.redactedUrl} failed: ${cause}`);
}
