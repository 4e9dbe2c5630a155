import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { createChatService, type ChatService } from './chat-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Conversations' turns: send, continue with tool outputs, follow and stop a thread's run. */
    chat: ChatService;
  }
}

export const chatPlugin = fastifyPlugin(
  async (app: FastifyInstance, { config }: { config: Config }) => {
    app.decorate(
      'chat',
      createChatService({
        engine: app.engine,
        runLogs: app.runLogs,
        threadLocks: app.threadLocks,
        streamDrain: app.streamDrain,
        recorder: app.recorder,
        ownership: app.ownership,
        knowledgeFor: (userId) => app.knowledgeFor(userId),
        defaultKnowledge: app.defaultKnowledge,
        config,
      }),
    );
  },
  {
    name: 'threadline-chat',
    dependencies: [
      'threadline-engine',
      'threadline-run-logs',
      'threadline-stream-drain',
      'threadline-default-knowledge',
      'threadline-ownership',
    ],
  },
);
