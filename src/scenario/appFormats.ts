/** The app wire formats `target` reads, as a list (no imports: the CLI's --help loads this). */
export const APP_FORMATS = ['openai-sse', 'anthropic-sse', 'ai-sdk-ui', 'ai-sdk-data', 'sse', 'ndjson', 'text', 'websocket'] as const;
