import {
  conversationCreateSchema,
  conversationDeletedSchema,
  conversationItemsCreateSchema,
  conversationObjectSchema,
  conversationUpdateSchema,
  responseIncludeQuerySchema,
  responseItemListQuerySchema,
  responseItemListSchema,
  responseItemSchema,
  v1IdSchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ConversationService } from '../../../responses/index.js';

const params = z.object({ conversation_id: v1IdSchema });
const itemParams = params.extend({ item_id: v1IdSchema });

type IncludeQuery = { include?: string | string[] | undefined; 'include[]'?: string | string[] | undefined };
const showsResults = (query: IncludeQuery) =>
  [query.include, query['include[]']].flat().includes('file_search_call.results');

/** `/v1/conversations`: create (with up to 20 items), retrieve, update metadata, delete; items. */
export const v1ConversationRoutes: FastifyPluginAsyncZod<{ service: ConversationService }> = async (
  app,
  { service },
) => {
  app.post(
    '/conversations',
    { schema: { body: conversationCreateSchema, response: { 200: conversationObjectSchema } } },
    async (request) => service.create(request.body, request.userId),
  );

  app.get(
    '/conversations/:conversation_id',
    { schema: { params, response: { 200: conversationObjectSchema } } },
    async (request) => service.get(request.params.conversation_id, request.userId),
  );

  app.post(
    '/conversations/:conversation_id',
    { schema: { params, body: conversationUpdateSchema, response: { 200: conversationObjectSchema } } },
    async (request) => service.update(request.params.conversation_id, request.body.metadata, request.userId),
  );

  app.delete(
    '/conversations/:conversation_id',
    { schema: { params, response: { 200: conversationDeletedSchema } } },
    async (request) => service.delete(request.params.conversation_id, request.userId),
  );

  app.post(
    '/conversations/:conversation_id/items',
    {
      schema: {
        params,
        body: conversationItemsCreateSchema,
        querystring: responseIncludeQuerySchema,
        response: { 200: responseItemListSchema },
      },
    },
    async (request) => service.addItems(request.params.conversation_id, request.body.items, request.userId),
  );

  app.get(
    '/conversations/:conversation_id/items',
    {
      schema: { params, querystring: responseItemListQuerySchema, response: { 200: responseItemListSchema } },
    },
    async (request) =>
      service.listItems(request.params.conversation_id, request.userId, {
        ...request.query,
        isResultsShown: showsResults(request.query),
      }),
  );

  app.get(
    '/conversations/:conversation_id/items/:item_id',
    {
      schema: {
        params: itemParams,
        querystring: responseIncludeQuerySchema,
        response: { 200: responseItemSchema },
      },
    },
    async (request) =>
      service.getItem(
        request.params.conversation_id,
        request.params.item_id,
        request.userId,
        showsResults(request.query),
      ),
  );

  app.delete(
    '/conversations/:conversation_id/items/:item_id',
    { schema: { params: itemParams, response: { 200: conversationObjectSchema } } },
    async (request) =>
      service.deleteItem(request.params.conversation_id, request.params.item_id, request.userId),
  );
};
