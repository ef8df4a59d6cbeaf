/** The scenario `run` uses when given none (a module of its own so `--help` loads nothing else). */
export const DEFAULT_SCENARIO = 'scenarios/default.yaml';
