/** The options `run` and `sweep` share, as commander parses them: how many streams, which Redis, where the result goes, how much is printed. */
export interface ScenarioRunOptions {
  /** --streams: measured streams per config (per point for `sweep`). */
  streams?: number;
  /** --iterations, the old name of --streams. */
  iterations?: number;
  warmup?: number;
  seed?: number;
  redis?: string;
  /** `--redis-file`: the Redis URL from a file. */
  redisFile?: string;
  /** `memory`: run the redis-* configs on the in-process memory broker. */
  broker?: 'auto' | 'memory';
  json?: boolean;
  out?: string;
  save: boolean;
  quiet?: boolean;
  /** Print every column / every warning. */
  wide?: boolean;
  verbose?: boolean;
  /** Run even when the estimate exceeds what the machine has. */
  force?: boolean;
}
