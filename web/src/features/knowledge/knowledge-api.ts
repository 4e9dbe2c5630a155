import {
  createVectorStoreRequestSchema,
  errorBodySchema,
  knowledgeFileListSchema,
  sampleKnowledgeBaseSchema,
  vectorStoreSummarySchema,
  type KnowledgeFile,
} from '@threadline/shared';
import { endpoints } from '../../config/api.js';
import { ApiError } from '../../lib/api-error.js';
import { jsonBody, requestJson, requestNoContent } from '../../lib/http.js';

export { getKnowledgeLimits, listVectorStores } from '../../lib/knowledge-stores.js';
export const createVectorStore = (name: string) =>
  requestJson(
    endpoints().vectorStores(),
    vectorStoreSummarySchema,
    jsonBody(createVectorStoreRequestSchema.parse({ name })),
  );
export const listFiles = (vectorStoreId: string) =>
  requestJson(endpoints().vectorStoreFiles(vectorStoreId), knowledgeFileListSchema);
export const deleteFile = (vectorStoreId: string, fileId: string) =>
  requestNoContent(endpoints().vectorStoreFile(vectorStoreId, fileId), { method: 'DELETE' });
export const loadSampleKnowledgeBase = () =>
  requestJson(endpoints().sampleKnowledgeBase(), sampleKnowledgeBaseSchema, { method: 'POST' });

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/**
 * One multipart upload. XMLHttpRequest rather than fetch because only it reports upload
 * progress; the answer is still validated with the shared schema.
 */
export function uploadFile(
  vectorStoreId: string,
  file: File,
  onProgress: (fraction: number) => void,
): { promise: Promise<KnowledgeFile[]>; abort: () => void } {
  const request = new XMLHttpRequest();
  const promise = new Promise<KnowledgeFile[]>((resolve, reject) => {
    request.open('POST', endpoints().vectorStoreFiles(vectorStoreId));
    request.setRequestHeader('accept', 'application/json');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      const body = parseJson(request.responseText);
      if (request.status >= 200 && request.status < 300) {
        const parsed = knowledgeFileListSchema.safeParse(body);
        if (parsed.success) resolve(parsed.data.data);
        else
          reject(
            new ApiError('The server answered the upload with an unexpected shape.', request.status, null),
          );
        return;
      }
      const error = errorBodySchema.safeParse(body);
      reject(
        new ApiError(
          error.success ? error.data.message : `Upload failed (HTTP ${request.status}).`,
          request.status,
          error.success ? error.data : null,
        ),
      );
    });
    request.addEventListener('error', () => reject(new TypeError('The upload could not reach the server.')));
    request.addEventListener('abort', () => reject(new DOMException('Upload cancelled', 'AbortError')));
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
  return { promise, abort: () => request.abort() };
}
