import multipart from '@fastify/multipart';
import {
  v1DeletedSchema,
  v1FileListQuerySchema,
  v1FileObjectSchema,
  v1FilePurposes,
  v1IdSchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../http/index.js';
import { attachmentDisposition, uploadFileName } from '../../http/index.js';
import { knowledgeFrom, paginate, toV1File, type V1KnowledgeOptions } from './knowledge-objects.js';
import { noSuchFile } from './ownership.js';

const params = z.object({ file_id: v1IdSchema });
const fileList = z.object({
  object: z.literal('list'),
  data: z.array(v1FileObjectSchema),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});

/** `/v1/files`: upload (multipart, `purpose=assistants`), list, get, delete, content. */
export const v1FileRoutes: FastifyPluginAsyncZod<V1KnowledgeOptions> = async (app, options) => {
  const knowledge = knowledgeFrom(options);
  const { ownership } = options;
  await app.register(multipart, {
    limits: { fileSize: knowledge.maxUploadBytes, files: 1, fields: 5, parts: 6 },
  });

  app.post('/files', { schema: { response: { 200: v1FileObjectSchema } } }, async (request) => {
    if (!request.isMultipart())
      throw new AppError(
        'bad_request',
        400,
        'Uploads must be multipart/form-data with "file" and "purpose".',
      );
    let purpose: string | undefined;
    let upload: { fileName: string; bytes: Buffer; contentType: string } | undefined;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new AppError('bad_request', 400, `Unexpected file field '${part.fieldname}'; use 'file'.`);
        }
        upload = {
          fileName: uploadFileName(part.filename),
          bytes: await part.toBuffer(),
          contentType: part.mimetype,
        };
      } else if (part.fieldname === 'purpose' && typeof part.value === 'string') {
        purpose = part.value;
      }
    }
    if (!upload) throw new AppError('bad_request', 400, "'file' is a required property");
    if (purpose === undefined) throw new AppError('bad_request', 400, "'purpose' is a required property");
    const accepted: readonly string[] = v1FilePurposes;
    if (!accepted.includes(purpose)) {
      throw new AppError(
        'bad_request',
        400,
        `'${purpose}' is not one of ${v1FilePurposes.map((item) => `'${item}'`).join(', ')} - 'purpose'`,
      );
    }
    const stored = await knowledge.uploadFile(upload, purpose);
    await ownership.record('file', stored.id, request.userId);
    return toV1File({ ...stored, purpose });
  });

  app.get(
    '/files',
    { schema: { querystring: v1FileListQuerySchema, response: { 200: fileList } } },
    async (request) => {
      const { purpose, ...query } = request.query;
      const records = await Promise.all(
        (await knowledge.files.list()).map((file) => knowledge.fileRecord(file.id)),
      );
      const files = records.flatMap((file) =>
        file !== null && (purpose === undefined || file.purpose === purpose) ? [file] : [],
      );
      const visible = new Set(
        await ownership.visible(
          'file',
          files.map((file) => file.id),
          request.userId,
        ),
      );
      return paginate(files.filter((file) => visible.has(file.id)).map(toV1File), query);
    },
  );

  app.get(
    '/files/:file_id',
    { schema: { params, response: { 200: v1FileObjectSchema } } },
    async (request) => {
      const file = await knowledge.fileRecord(request.params.file_id);
      if (!file) throw noSuchFile(request.params.file_id);
      return toV1File(file);
    },
  );

  app.delete(
    '/files/:file_id',
    { schema: { params, response: { 200: v1DeletedSchema } } },
    async (request) => {
      if (!(await knowledge.files.delete(request.params.file_id))) throw noSuchFile(request.params.file_id);
      await ownership.forget('file', request.params.file_id);
      return { id: request.params.file_id, object: 'file', deleted: true };
    },
  );

  app.get('/files/:file_id/content', { schema: { params } }, async (request, reply) => {
    const file = await knowledge.fileRecord(request.params.file_id);
    const content = file && (await knowledge.files.content(request.params.file_id));
    if (!file || !content) throw noSuchFile(request.params.file_id);
    return reply
      .type('application/octet-stream')
      .header('content-disposition', attachmentDisposition(file.fileName))
      .send(content);
  });
};
