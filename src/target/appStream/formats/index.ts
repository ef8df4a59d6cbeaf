/** The format spec for a request's `format`. */
import type { AppRequest } from '../types.js';
import { aiSdkData } from './aiSdkData.js';
import { aiSdkUi } from './aiSdkUi.js';
import { anthropicSse } from './anthropicSse.js';
import type { FormatSpec } from './formatSpec.js';
import { genericSse, ndjson } from './jsonPathFormats.js';
import { openAiSse } from './openaiSse.js';
import { plainText } from './plainText.js';

/** The spec that reads `request.format` over HTTP (throws for 'websocket', read by its own reader). */
export function httpFormatSpec(request: Pick<AppRequest, 'format' | 'textPath' | 'donePath'>): FormatSpec {
  switch (request.format) {
    case 'openai-sse':
      return openAiSse;
    case 'anthropic-sse':
      return anthropicSse;
    case 'ai-sdk-ui':
      return aiSdkUi;
    case 'ai-sdk-data':
      return aiSdkData;
    case 'sse':
      return genericSse(request.textPath, request.donePath);
    case 'ndjson':
      return ndjson(request.textPath, request.donePath);
    case 'text':
      return plainText;
    case 'websocket':
      throw new Error('format websocket is read by the WebSocket reader, not over HTTP');
  }
}
