import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiPaths,
  knowledgeFileListSchema,
  vectorStoreSummarySchema,
  type KnowledgeFile,
} from '@threadline/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { docxBomb } from '../../../helpers/docx-builder.js';
import { startServerProcess, type ServerProcess } from '../../../helpers/server-process.js';
import { waitUntil } from '../../../helpers/wait-until.js';

/**
 * A 300 KB DOCX that inflates to 300 MB, against the real server process: the upload is
 * answered, the process is killed -9 while the file is being ingested, and the restarted server
 * comes up healthy and marks the file failed with a clear last error (no crash loop).
 */
describe('a zip bomb during ingestion', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bomb-'));
  const servers: ServerProcess[] = [];
  const start = async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', AUTH_TOKENS: '' });
    servers.push(server);
    return server;
  };
  afterAll(() => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('survives kill -9 mid-ingestion and fails the file on restart', async () => {
    const bomb = await docxBomb(300);
    expect(bomb.length).toBeLessThan(400 * 1024);
    const first = await start();
    const created = await fetch(`${first.baseUrl}${apiPaths.vectorStores}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bombs' }),
    });
    const store = vectorStoreSummarySchema.parse(await created.json());
    const form = new FormData();
    form.append('file', new Blob([bomb]), 'bomb.docx');
    const uploaded = await fetch(`${first.baseUrl}${apiPaths.vectorStoreFiles(store.id)}`, {
      method: 'POST',
      body: form,
    });
    expect(uploaded.status).toBe(202);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;

    const second = await start();
    let files: KnowledgeFile[] = [];
    await waitUntil(
      async () => {
        const response = await fetch(`${second.baseUrl}${apiPaths.vectorStoreFiles(store.id)}`);
        files = knowledgeFileListSchema.parse(await response.json()).data;
        return files.every((file) => file.status !== 'in_progress');
      },
      30_000,
      'the bomb to settle',
    );
    expect(files).toEqual([
      expect.objectContaining({
        fileName: 'bomb.docx',
        status: 'failed',
        lastError: {
          code: 'invalid_file',
          message: expect.stringMatching(/^the DOCX file is too large to read: .*300 MB/) as unknown,
        },
      }),
    ]);
    const health = await fetch(`${second.baseUrl}${apiPaths.health}`);
    expect(health.status).toBe(200);
    expect(second.child.exitCode).toBeNull();
  }, 120_000);
});
