/** A scenario file that cannot be used: the message names the file, the field and the fix. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}
