// ESLint flat config: type-aware promise and import rules for src/ and test/, and the layer
// order of src/ (a folder imports only its own layer or lower ones, so imports flow one way).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// Lowest first. A path is a folder (trailing slash) or one file.
const layers = [
  { name: 'core', paths: ['src/clock.ts', 'src/clockLimits.ts', 'src/processAlive.ts', 'src/builtEntry.ts', 'src/input/', 'src/net/'] },
  { name: 'result', paths: ['src/result/'] },
  { name: 'sources', paths: ['src/sources/', 'src/mock/', 'src/traces/'] },
  { name: 'probes', paths: ['src/probes/'] },
  { name: 'pipeline', paths: ['src/pipeline/'] },
  { name: 'stats', paths: ['src/stats/'] },
  { name: 'scenario', paths: ['src/scenario/'] },
  { name: 'run', paths: ['src/run/', 'src/load/', 'src/target/'] },
  { name: 'sweep', paths: ['src/sweep/'] },
  { name: 'report', paths: ['src/report/'] },
  { name: 'cli', paths: ['src/cli/', 'src/cli.ts', 'src/streambench.cts', 'src/index.ts'] },
  { name: 'bench/tools', paths: ['src/bench/', 'src/tools/'] },
];

/** One zone per (layer, higher layer) pair, so the message names both layers. */
function layerZones() {
  const zones = [];
  layers.forEach((lower, lowerRank) => {
    layers.slice(lowerRank + 1).forEach((higher, offset) => {
      for (const from of higher.paths) {
        const zone = {
          target: lower.paths,
          from,
          message: `layer ${lowerRank} '${lower.name}' may import only its own layer or lower ones; ${from} is layer ${lowerRank + 1 + offset} '${higher.name}' (order in eslint.config.js)`,
        };
        zones.push(zone);
      }
    });
  });
  return zones;
}

export default tseslint.config(
  { ignores: ['dist/**', 'results/**', 'node_modules/**', 'schemas/**', 'traces/**', 'test/fixtures/**', 'src/**/*.generated.ts'] },
  {
    files: ['src/**/*.ts', 'src/**/*.cts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      // .ts files are parsed for no-cycle (import-x reads only .js files by default, so it would see no cycle).
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.cts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones() }] },
  },
);
