/** A Redis setup problem the user can fix; its message is the whole story (no stack trace). */
export class RedisSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisSetupError';
    // The message says what failed and how to fix it; a stack would only add noise to CLI output.
    this.stack = `${this.name}: ${message}`;
  }
}
