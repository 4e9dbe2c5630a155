import OpenAI, { toFile } from 'openai';
import { AssistantStream } from 'openai/lib/AssistantStream';
import OpenAIV4, { toFile as toFileV4 } from 'openai-v4';
import { AssistantStream as AssistantStreamV4 } from 'openai-v4/lib/AssistantStream';
import { fetch as shimFetchV4 } from 'openai-v4/_shims/index';
import type { Fetch as FetchV4 } from 'openai-v4/core';
import { VERSION as versionV4 } from 'openai-v4/version';
import OpenAIV7, { toFile as toFileV7 } from 'openai-v7';
import { AssistantStream as AssistantStreamV7 } from 'openai-v7/lib/AssistantStream';
import { VERSION as versionV7 } from 'openai-v7/version';
import { VERSION } from 'openai/version';

/**
 * The calls the /v1 conformance suite makes, through openai-node 4.x, the project's version (6.x)
 * or 7.x.
 * The versions name and order some arguments differently (4.x: `del(threadId, messageId)`,
 * `cancel(threadId, runId)`; later: `delete(messageId, { thread_id })`, `cancel(runId, { thread_id })`)
 * and type their objects separately, so each gets a small factory below; the suite is written
 * once against this shape.
 */
export type NodeSdkClient = {
  label: string;
  /** What the client handed its fetch: method, path, content type and whether a body came with it. */
  sent: SentRequest[];
  isNotFound: (error: unknown) => boolean;
  isBadRequest: (error: unknown) => boolean;
  uploadFile: (name: string, text: string) => Promise<{ id: string }>;
  retrieveFile: (fileId: string) => Promise<{ id: string }>;
  deleteFile: (fileId: string) => Promise<Deleted>;
  createVectorStore: (body: { name: string; file_ids?: string[] }) => Promise<{ id: string }>;
  uploadBatchAndPoll: (vectorStoreId: string, name: string, text: string) => Promise<{ status: string }>;
  pollVectorStoreFile: (vectorStoreId: string, fileId: string) => Promise<{ status: string }>;
  renameVectorStore: (vectorStoreId: string, name: string) => Promise<{ name: string }>;
  deleteVectorStoreFile: (vectorStoreId: string, fileId: string) => Promise<Deleted>;
  deleteVectorStore: (vectorStoreId: string) => Promise<Deleted>;
  createAssistant: (body: AssistantBody) => Promise<{ id: string; tool_resources?: ToolResources | null }>;
  /** The body as given, unchecked: for parameters the SDK's types do not know. */
  createAssistantUnchecked: (body: Record<string, unknown>) => Promise<{ id: string }>;
  retrieveAssistant: (assistantId: string) => Promise<{ id: string }>;
  renameAssistant: (assistantId: string, name: string) => Promise<{ name: string | null }>;
  deleteAssistant: (assistantId: string) => Promise<Deleted>;
  createThread: (body?: ThreadBody) => Promise<{ id: string; tool_resources?: ToolResources | null }>;
  deleteThread: (threadId: string) => Promise<Deleted>;
  createMessage: (threadId: string, content: string) => Promise<{ id: string }>;
  listMessages: (threadId: string, query: ListQuery) => Promise<{ ids: string[]; hasNextPage: boolean }>;
  /** Every page, through the SDK's auto-pagination. */
  listAllMessageIds: (threadId: string, query: ListQuery) => Promise<string[]>;
  /** The text of the thread's newest message. */
  latestText: (threadId: string) => Promise<string>;
  setMessageMetadata: (
    threadId: string,
    messageId: string,
    metadata: Record<string, string>,
  ) => Promise<void>;
  deleteMessage: (threadId: string, messageId: string) => Promise<Deleted>;
  createAndPoll: (threadId: string, assistantId: string) => Promise<{ status: string }>;
  streamRun: (threadId: string, assistantId: string, handlers: StreamHandlers) => RunStream;
  submitToolOutputsStream: (threadId: string, runId: string, outputs: ToolOutput[]) => RunStream;
  /**
   * A streamed run relayed as a browser app relays it: `toReadableStream()` on the server side,
   * `AssistantStream.fromReadableStream` on the other; the relayed run's status and last text.
   */
  relayRun: (threadId: string, assistantId: string) => Promise<{ status: string; text: string }>;
  cancelRun: (threadId: string, runId: string) => Promise<{ status: string }>;
};

export type SentRequest = { method: string; path: string; contentType: string | null; hasBody: boolean };
type Deleted = { deleted: boolean };
type ToolResources = { file_search?: { vector_store_ids?: string[] } };
type ListQuery = { order?: 'asc' | 'desc'; limit?: number; before?: string };
type ToolOutput = { tool_call_id: string; output: string };
export type AssistantBody = {
  model: string;
  tools?: Array<
    | { type: 'file_search' }
    | { type: 'function'; function: { name: string; parameters?: Record<string, unknown> } }
  >;
  tool_resources?: { file_search?: { vector_store_ids?: string[] } } | null;
};
export type ThreadBody = {
  messages?: Array<{
    role: 'user';
    content: string;
    attachments?: Array<{ file_id: string; tools: Array<{ type: 'file_search' }> }>;
  }>;
  tool_resources?: { file_search: { vector_stores: Array<{ file_ids: string[] }> } };
};

type ToolCallSeen = {
  id: string;
  type: string;
  function?: { name: string; arguments: string };
  file_search?: { results?: Array<{ file_name: string }> };
};
export type StreamHandlers = {
  toolCallCreated?: (call: ToolCallSeen) => void;
  toolCallDelta?: (delta: { type: string }) => void;
  toolCallDone?: (call: ToolCallSeen) => void;
  textDelta?: (delta: { value?: string | undefined }) => void;
};
export type RunStream = { currentRunId: () => string; finalStatus: () => Promise<string> };

/** What every version's AssistantStream offers that the suite uses. */
type SdkStream = {
  on(event: 'toolCallCreated' | 'toolCallDone', listener: (call: ToolCallSeen) => void): unknown;
  on(event: 'toolCallDelta', listener: (delta: { type: string }) => void): unknown;
  on(event: 'textDelta', listener: (delta: { value?: string | undefined }) => void): unknown;
  currentRun(): { id: string } | undefined;
  finalRun(): Promise<{ status: string }>;
  finalMessages(): Promise<Array<{ content: Array<{ type: string; text?: { value: string } }> }>>;
  toReadableStream(): ReadableStream;
};

async function relayed(stream: SdkStream, fromReadableStream: (body: ReadableStream) => SdkStream) {
  const reader = fromReadableStream(stream.toReadableStream());
  const run = await reader.finalRun();
  const messages = await reader.finalMessages();
  return { status: run.status, text: textOf(messages.at(-1)?.content) };
}

function runStream(stream: SdkStream, handlers: StreamHandlers = {}): RunStream {
  if (handlers.toolCallCreated) stream.on('toolCallCreated', handlers.toolCallCreated);
  if (handlers.toolCallDelta) stream.on('toolCallDelta', handlers.toolCallDelta);
  if (handlers.toolCallDone) stream.on('toolCallDone', handlers.toolCallDone);
  if (handlers.textDelta) stream.on('textDelta', handlers.textDelta);
  return {
    currentRunId: () => stream.currentRun()?.id ?? '',
    finalStatus: async () => (await stream.finalRun()).status,
  };
}

/** Notes what each request carried, then sends it with the client's own fetch. */
function recording<Url, Init extends { method?: string | undefined; body?: unknown; headers?: unknown }>(
  sent: SentRequest[],
  send: (url: Url, init?: Init) => Promise<Response>,
) {
  return (url: Url, init?: Init) => {
    // Both versions hand their fetch a URL string and headers as a plain object or Headers.
    const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
    sent.push({
      method: init?.method ?? 'GET',
      path: new URL(String(url)).pathname,
      contentType: headers.get('content-type'),
      hasBody: init?.body !== undefined && init.body !== null && init.body !== '',
    });
    return send(url, init);
  };
}

const textOf = (content: Array<{ type: string; text?: { value: string } }> | undefined) => {
  const first = content?.[0];
  return first?.type === 'text' ? (first.text?.value ?? '') : '';
};

/** The project's openai-node (6.x). */
export function currentNodeClient(baseURL: string): NodeSdkClient {
  return modernNodeClient(baseURL, {
    OpenAI,
    toFile,
    fromReadableStream: (body) => AssistantStream.fromReadableStream(body),
    label: `openai-node ${VERSION} (the project’s version)`,
  });
}

/**
 * openai-node 7.x (the latest), under the alias `openai-v7`. Its API has the shape 6.x has, so it
 * shares 6.x's factory; its client class is typed by its own package, hence the cast.
 */
export function v7NodeClient(baseURL: string): NodeSdkClient {
  return modernNodeClient(baseURL, {
    OpenAI: OpenAIV7 as unknown as typeof OpenAI,
    toFile: toFileV7,
    fromReadableStream: (body) => AssistantStreamV7.fromReadableStream(body),
    label: `openai-node ${versionV7} (7.x)`,
  });
}

/** openai-node 6.x and 7.x: `delete(id, { thread_id })`, `cancel(runId, { thread_id })`. */
function modernNodeClient(
  baseURL: string,
  sdk: {
    OpenAI: typeof OpenAI;
    toFile: typeof toFile;
    fromReadableStream: (body: ReadableStream) => SdkStream;
    label: string;
  },
): NodeSdkClient {
  const { OpenAI: Client, toFile: fileOf } = sdk;
  const sent: SentRequest[] = [];
  const client = new Client({
    baseURL,
    apiKey: 'conformance',
    maxRetries: 0,
    fetch: recording(sent, (url: string | URL | Request, init?: RequestInit) => fetch(url, init)),
  });
  const { assistants, threads } = client.beta;
  return {
    label: sdk.label,
    sent,
    isNotFound: (error) => error instanceof Client.NotFoundError,
    isBadRequest: (error) => error instanceof Client.BadRequestError,
    uploadFile: async (name, text) =>
      client.files.create({ file: await fileOf(Buffer.from(text), name), purpose: 'assistants' }),
    retrieveFile: (fileId) => client.files.retrieve(fileId),
    deleteFile: (fileId) => client.files.delete(fileId),
    createVectorStore: (body) => client.vectorStores.create(body),
    uploadBatchAndPoll: async (vectorStoreId, name, text) =>
      client.vectorStores.fileBatches.uploadAndPoll(vectorStoreId, {
        files: [await fileOf(Buffer.from(text), name)],
      }),
    pollVectorStoreFile: (vectorStoreId, fileId) =>
      client.vectorStores.files.poll(vectorStoreId, fileId, { pollIntervalMs: 20 }),
    renameVectorStore: async (vectorStoreId, name) => {
      const store = await client.vectorStores.update(vectorStoreId, { name });
      return { name: store.name };
    },
    deleteVectorStoreFile: (vectorStoreId, fileId) =>
      client.vectorStores.files.delete(fileId, { vector_store_id: vectorStoreId }),
    deleteVectorStore: (vectorStoreId) => client.vectorStores.delete(vectorStoreId),
    createAssistant: (body) => assistants.create(body),
    createAssistantUnchecked: (body) =>
      assistants.create(body as unknown as OpenAI.Beta.AssistantCreateParams),
    retrieveAssistant: (assistantId) => assistants.retrieve(assistantId),
    renameAssistant: (assistantId, name) => assistants.update(assistantId, { name }),
    deleteAssistant: (assistantId) => assistants.delete(assistantId),
    createThread: (body) => threads.create(body),
    deleteThread: (threadId) => threads.delete(threadId),
    createMessage: (threadId, content) => threads.messages.create(threadId, { role: 'user', content }),
    listMessages: async (threadId, query) => {
      const page = await threads.messages.list(threadId, query);
      return { ids: page.data.map((message) => message.id), hasNextPage: page.hasNextPage() };
    },
    listAllMessageIds: async (threadId, query) => {
      const ids: string[] = [];
      for await (const message of threads.messages.list(threadId, query)) ids.push(message.id);
      return ids;
    },
    latestText: async (threadId) =>
      textOf((await threads.messages.list(threadId, { limit: 1 })).data[0]?.content),
    setMessageMetadata: async (threadId, messageId, metadata) => {
      await threads.messages.update(messageId, { thread_id: threadId, metadata });
    },
    deleteMessage: (threadId, messageId) => threads.messages.delete(messageId, { thread_id: threadId }),
    createAndPoll: (threadId, assistantId) =>
      threads.runs.createAndPoll(threadId, { assistant_id: assistantId }),
    streamRun: (threadId, assistantId, handlers) =>
      runStream(threads.runs.stream(threadId, { assistant_id: assistantId }), handlers),
    submitToolOutputsStream: (threadId, runId, outputs) =>
      runStream(threads.runs.submitToolOutputsStream(runId, { thread_id: threadId, tool_outputs: outputs })),
    cancelRun: (threadId, runId) => threads.runs.cancel(runId, { thread_id: threadId }),
    relayRun: (threadId, assistantId) =>
      relayed(threads.runs.stream(threadId, { assistant_id: assistantId }), sdk.fromReadableStream),
  };
}

/** openai-node 4.x, which the quickstart and much code written for the Assistants API use. */
export function v4NodeClient(baseURL: string): NodeSdkClient {
  const sent: SentRequest[] = [];
  const client = new OpenAIV4({
    baseURL,
    apiKey: 'conformance',
    maxRetries: 0,
    // 4.x's own fetch (node-fetch in Node), so what goes out is what 4.x sends. Its shim's
    // declaration names the package as `openai`, which here is the project's version: typed by hand.
    fetch: recording(sent, (url, init) => (shimFetchV4 as FetchV4)(url, init)),
  });
  const { assistants, threads } = client.beta;
  return {
    label: `openai-node ${versionV4} (4.x)`,
    sent,
    isNotFound: (error) => error instanceof OpenAIV4.NotFoundError,
    isBadRequest: (error) => error instanceof OpenAIV4.BadRequestError,
    uploadFile: async (name, text) =>
      client.files.create({ file: await toFileV4(Buffer.from(text), name), purpose: 'assistants' }),
    retrieveFile: (fileId) => client.files.retrieve(fileId),
    deleteFile: (fileId) => client.files.del(fileId),
    createVectorStore: (body) => client.vectorStores.create(body),
    uploadBatchAndPoll: async (vectorStoreId, name, text) =>
      client.vectorStores.fileBatches.uploadAndPoll(vectorStoreId, {
        files: [await toFileV4(Buffer.from(text), name)],
      }),
    pollVectorStoreFile: (vectorStoreId, fileId) =>
      client.vectorStores.files.poll(vectorStoreId, fileId, { pollIntervalMs: 20 }),
    renameVectorStore: async (vectorStoreId, name) => {
      const store = await client.vectorStores.update(vectorStoreId, { name });
      return { name: store.name };
    },
    deleteVectorStoreFile: (vectorStoreId, fileId) => client.vectorStores.files.del(vectorStoreId, fileId),
    deleteVectorStore: (vectorStoreId) => client.vectorStores.del(vectorStoreId),
    createAssistant: (body) => assistants.create(body),
    createAssistantUnchecked: (body) =>
      assistants.create(body as unknown as OpenAIV4.Beta.AssistantCreateParams),
    retrieveAssistant: (assistantId) => assistants.retrieve(assistantId),
    renameAssistant: (assistantId, name) => assistants.update(assistantId, { name }),
    deleteAssistant: (assistantId) => assistants.del(assistantId),
    createThread: (body) => threads.create(body),
    deleteThread: (threadId) => threads.del(threadId),
    createMessage: (threadId, content) => threads.messages.create(threadId, { role: 'user', content }),
    listMessages: async (threadId, query) => {
      const page = await threads.messages.list(threadId, query);
      return { ids: page.data.map((message) => message.id), hasNextPage: page.hasNextPage() };
    },
    listAllMessageIds: async (threadId, query) => {
      const ids: string[] = [];
      for await (const message of threads.messages.list(threadId, query)) ids.push(message.id);
      return ids;
    },
    latestText: async (threadId) =>
      textOf((await threads.messages.list(threadId, { limit: 1 })).data[0]?.content),
    setMessageMetadata: async (threadId, messageId, metadata) => {
      await threads.messages.update(threadId, messageId, { metadata });
    },
    deleteMessage: (threadId, messageId) => threads.messages.del(threadId, messageId),
    createAndPoll: (threadId, assistantId) =>
      threads.runs.createAndPoll(threadId, { assistant_id: assistantId }),
    streamRun: (threadId, assistantId, handlers) =>
      runStream(threads.runs.stream(threadId, { assistant_id: assistantId }), handlers),
    submitToolOutputsStream: (threadId, runId, outputs) =>
      runStream(threads.runs.submitToolOutputsStream(threadId, runId, { tool_outputs: outputs })),
    cancelRun: (threadId, runId) => threads.runs.cancel(threadId, runId),
    relayRun: (threadId, assistantId) =>
      relayed(threads.runs.stream(threadId, { assistant_id: assistantId }), (body) =>
        AssistantStreamV4.fromReadableStream(body),
      ),
  };
}
