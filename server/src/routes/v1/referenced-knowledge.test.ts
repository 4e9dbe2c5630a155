import { describe, expect, it } from 'vitest';
import { referencedKnowledge } from './referenced-knowledge.js';

describe('referencedKnowledge', () => {
  it.each([
    ['nothing', undefined, [], []],
    ['a plain string body', 'x', [], []],
    [
      'a thread’s tool resources',
      { tool_resources: { file_search: { vector_store_ids: ['vs_1'] } } },
      ['vs_1'],
      [],
    ],
    [
      'create-and-run: both tool resources',
      {
        tool_resources: { file_search: { vector_store_ids: ['vs_run'] } },
        thread: { tool_resources: { file_search: { vector_store_ids: ['vs_thread'] } } },
      },
      ['vs_run', 'vs_thread'],
      [],
    ],
    [
      'inline stores and code interpreter files',
      {
        tool_resources: {
          file_search: { vector_stores: [{ file_ids: ['file-a', 'file-b'] }] },
          code_interpreter: { file_ids: ['file-c'] },
        },
      },
      [],
      ['file-a', 'file-b', 'file-c'],
    ],
    [
      'message attachments, also inside a new thread',
      {
        attachments: [{ file_id: 'file-1', tools: [{ type: 'file_search' }] }],
        thread: { messages: [{ role: 'user', content: 'hi', attachments: [{ file_id: 'file-2' }] }] },
      },
      [],
      ['file-1', 'file-2'],
    ],
    ['an attach and a batch', { file_id: 'file-x', file_ids: ['file-y'] }, [], ['file-x', 'file-y']],
    [
      'ids inside metadata and attributes are free text',
      { metadata: { file_id: 'file-z' }, attributes: { vector_store_ids: 'vs_z' } },
      [],
      [],
    ],
  ])('%s', (_name, body, vectorStoreIds, fileIds) => {
    expect(referencedKnowledge(body)).toEqual({ vectorStoreIds, fileIds });
  });
});
