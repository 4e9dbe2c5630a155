import { filePageRequestSchema, filePageSchema } from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { documentKind, type DocumentKind } from '../../engines/index.js';
import { PdfTextWorker } from '../../engines/index.js';
import { notFound, errorResponses } from '../../http/index.js';
import { pageOfQuote } from '../../knowledge/index.js';
import { attachmentDisposition } from '../../http/index.js';

const tags = ['knowledge'];
const errors = errorResponses(400, 401, 404);
const fileParams = z.object({ fileId: z.string().min(1).max(200) });

/**
 * How a stored file opens in the browser: PDFs in its viewer, text as text. HTML is shown as its
 * source and DOCX downloads: an uploaded page must never run in Threadline's origin.
 */
const viewAs: Record<DocumentKind, { type: string; disposition: 'inline' | 'attachment' }> = {
  pdf: { type: 'application/pdf', disposition: 'inline' },
  markdown: { type: 'text/plain; charset=utf-8', disposition: 'inline' },
  text: { type: 'text/plain; charset=utf-8', disposition: 'inline' },
  html: { type: 'text/plain; charset=utf-8', disposition: 'inline' },
  docx: {
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    disposition: 'attachment',
  },
};

/** What a citation links to: the cited file itself, and the page of a PDF a passage is on. */
export const fileViewRoutes: FastifyPluginAsyncZod = async (app) => {
  // Its own reader: a page lookup never waits behind an ingestion's PDFs.
  const pdfText = new PdfTextWorker({ timeoutMs: 30_000 });
  app.addHook('onClose', () => pdfText.close());

  app.get(
    '/knowledge/files/:fileId/content',
    {
      schema: {
        tags,
        summary: 'A stored file, to open in the browser',
        description: 'PDFs inline, Markdown, text and HTML as plain text, DOCX as a download.',
        params: fileParams,
      },
    },
    async (request, reply) => {
      const { files } = app.knowledgeFor(request.userId);
      const [file, content] = await Promise.all([
        files.get(request.params.fileId),
        files.content(request.params.fileId),
      ]);
      if (!file || !content) throw notFound('file');
      const view = viewAs[documentKind(file.fileName) ?? 'text'];
      return reply
        .header('content-type', view.type)
        .header('content-disposition', attachmentDisposition(file.fileName, view.disposition))
        .send(content);
    },
  );

  app.get(
    '/knowledge/files/:fileId/page',
    {
      schema: {
        tags,
        summary: 'The page of a PDF on which a cited passage starts',
        description: '`page` is null for files without pages, or when the passage is not found.',
        params: fileParams,
        querystring: filePageRequestSchema,
        response: { 200: filePageSchema, ...errors },
      },
    },
    async (request) => {
      const { files } = app.knowledgeFor(request.userId);
      const file = await files.get(request.params.fileId);
      if (!file) throw notFound('file');
      if (documentKind(file.fileName) !== 'pdf') return { page: null };
      const content = await files.content(file.id);
      if (!content) return { page: null };
      const text = await pdfText.extract(content).catch(() => null);
      return { page: text === null ? null : pageOfQuote(text, request.query.quote) };
    },
  );
};
