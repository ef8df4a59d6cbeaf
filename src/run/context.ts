import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { ResultDocument } from '../result/resultSchema.js';

export { TOOL_VERSION } from './toolVersion.js';

/** Where and when a run happens: Node, OS, CPU, git commit, wall-clock start. */
export function collectContext(startedAt: Date): ResultDocument['context'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    gitCommit: currentGitCommit(),
    startedAt: startedAt.toISOString(),
  };
}

function currentGitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}
