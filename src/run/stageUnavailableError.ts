/** Raised by a stage that cannot run here (e.g. no Redis): the config is skipped, not errored. */
export class StageUnavailableError extends Error {
  override readonly name = 'StageUnavailableError';
}
