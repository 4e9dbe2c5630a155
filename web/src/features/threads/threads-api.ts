import { renameThreadRequestSchema, threadListSchema, threadSummarySchema } from '@threadline/shared';
import { endpoints } from '../../config/api.js';
import { jsonBody, requestJson, requestNoContent } from '../../lib/http.js';

export const pageSize = 20;

export const listThreads = (
  query: { cursor?: string | undefined; q?: string | undefined },
  signal?: AbortSignal,
) =>
  requestJson(endpoints().threads({ limit: pageSize, ...query }), threadListSchema, signal ? { signal } : {});

export const renameThread = (threadId: string, title: string) =>
  requestJson(
    endpoints().thread(threadId),
    threadSummarySchema,
    jsonBody(renameThreadRequestSchema.parse({ title }), 'PATCH'),
  );

export const deleteThread = (threadId: string) =>
  requestNoContent(endpoints().thread(threadId), { method: 'DELETE' });
