/** Counts every JSON.stringify and JSON.parse a pipeline makes, so JSON cost is counted, not estimated. */
export class JsonCounter {
  stringifyCalls = 0;
  parseCalls = 0;

  /** JSON.stringify, counted. */
  stringify(value: unknown): string {
    this.stringifyCalls++;
    return JSON.stringify(value);
  }

  /** JSON.parse, counted. */
  parse<T = unknown>(text: string): T {
    this.parseCalls++;
    return JSON.parse(text) as T;
  }

  /** Total JSON calls so far. */
  get total(): number {
    return this.stringifyCalls + this.parseCalls;
  }
}
