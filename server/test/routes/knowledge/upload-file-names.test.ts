import { apiPaths, knowledgeFileListSchema, vectorStoreSummarySchema } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { multipartBody } from '../../helpers/multipart-body.js';
import { useTestApp } from '../../helpers/test-app.js';

describe('control characters in an upload’s file name', () => {
  const { app } = useTestApp();

  it('are removed on the way in and the download names the file per RFC 6266', async () => {
    const store = vectorStoreSummarySchema.parse(
      (await app.inject({ method: 'POST', url: apiPaths.vectorStores, payload: { name: 'names' } })).json(),
    );
    const uploaded = await app.inject({
      method: 'POST',
      url: apiPaths.vectorStoreFiles(store.id),
      ...multipartBody([{ fileName: 'ré\u0000sumé\u0007.md', content: '# CV\n\nHello.' }]),
    });
    expect(uploaded.statusCode).toBe(202);
    const [file] = knowledgeFileListSchema.parse(uploaded.json()).data;
    expect(file?.fileName).toBe('résumé.md');

    const download = await app.inject({ url: apiPaths.legacy.file(file?.id ?? '') });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="r_sum_.md"; filename*=UTF-8''r%C3%A9sum%C3%A9.md`,
    );
  });

  it('are removed from /v1 uploads too', async () => {
    const uploaded = await app.inject({
      method: 'POST',
      url: '/v1/files',
      ...multipartBody([{ fileName: 'a\u0000b\u001f.md', content: 'x' }], { purpose: 'assistants' }),
    });
    expect(uploaded.statusCode).toBe(200);
    const file = z.object({ id: z.string(), filename: z.string() }).parse(uploaded.json());
    expect(file.filename).toBe('ab.md');
    const download = await app.inject({ url: `/v1/files/${file.id}/content` });
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="ab.md"; filename*=UTF-8''ab.md`,
    );
  });
});
