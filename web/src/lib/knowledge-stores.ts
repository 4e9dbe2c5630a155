import {
  defaultKnowledgeBaseSchema,
  knowledgeLimitsSchema,
  setDefaultKnowledgeBaseRequestSchema,
  vectorStoreListSchema,
} from '@threadline/shared';
import { endpoints } from '../config/api.js';
import { jsonBody, requestJson } from './http.js';

/** The caller's vector stores (the chat's store picker and the Knowledge page both list them). */
export const listVectorStores = () => requestJson(endpoints().vectorStores(), vectorStoreListSchema);

/** The stores a conversation searches when it names none; kept on the server, per user. */
export const getDefaultKnowledgeBase = () =>
  requestJson(endpoints().defaultKnowledgeBase(), defaultKnowledgeBaseSchema);

export const setDefaultKnowledgeBase = (vectorStoreIds: readonly string[]) =>
  requestJson(
    endpoints().defaultKnowledgeBase(),
    defaultKnowledgeBaseSchema,
    jsonBody(setDefaultKnowledgeBaseRequestSchema.parse({ vectorStoreIds }), 'PUT'),
  );

export const getKnowledgeLimits = () => requestJson(endpoints().knowledgeLimits(), knowledgeLimitsSchema);
