/** The programmatic API: `import { runScenario, loadScenarioFile } from 'streambench'`. */
export { runScenario, type RunOptions } from './run/runScenario.js';
export { loadScenarioFile, parseScenarioText, resolveScenario, type Scenario, type ResolvedConfig } from './scenario/loadScenario.js';
export { ScenarioError } from './input/scenarioError.js';
export { compareResults, type Comparison } from './stats/compareResults.js';
export { evaluateRules, parseRules } from './stats/rules.js';
export { readResultFile } from './result/readResult.js';
export { renderSummaryTable, renderStageTable, renderComparisonTable, renderCountersTable, renderLoadTable } from './report/tables.js';
export { resultDocumentSchema, RESULT_SCHEMA_VERSION, type ResultDocument, type ConfigResult, type Summary } from './result/resultSchema.js';
export { scenarioSchema } from './scenario/scenarioSchema.js';
export { mergeShardResults, MergeError } from './stats/mergeResults.js';
export { loadSettingsSchema, type LoadSettings } from './scenario/loadSettings.js';
export { createSource } from './sources/sourceSettings.js';
export { startMockServer } from './mock/mockServer.js';
export { renderRenderTable } from './report/renderTable.js';
export { openBrowserStream, type BrowserStreamRequest, type BrowserStreamTimeline } from './pipeline/client/browser/openBrowserStream.js';
