/** The wire protocols an HTTP source speaks; a module of its own so the CLI can list them without loading zod. */
export const httpApis = ['openai-chat', 'openai-completions', 'anthropic'] as const;

/** One of httpApis. */
export type HttpApi = (typeof httpApis)[number];
