import { acceptedFileExtensions } from '@threadline/shared';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../http/index.js';
import type { UploadedFile } from '../../engines/index.js';
import { uploadFileName } from '../../http/index.js';

const accepted: readonly string[] = acceptedFileExtensions;

/** 52428800 → "50 MB"; small limits in KB or bytes. */
export const describeBytes = (bytes: number): string =>
  bytes >= 1024 * 1024
    ? `${Number((bytes / 1024 / 1024).toFixed(1))} MB`
    : bytes >= 1024
      ? `${Number((bytes / 1024).toFixed(1))} KB`
      : `${bytes} bytes`;

export const isAcceptedFileName = (fileName: string) =>
  accepted.includes(/\.[^.]+$/.exec(fileName.toLowerCase())?.[0] ?? '');

/**
 * Reads every `file` part of a multipart request into memory, checking each name before any
 * is stored so one bad file in a batch rejects the whole batch. @fastify/multipart enforces
 * the size limit while streaming (413) rather than after buffering.
 */
export async function readUploads(request: FastifyRequest, maxBytes: number): Promise<UploadedFile[]> {
  if (!request.isMultipart()) {
    throw new AppError(
      'unsupported_media_type',
      415,
      'send the files as multipart/form-data in a field named "file"',
    );
  }
  const uploads: UploadedFile[] = [];
  for await (const part of request.files()) {
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw new AppError('bad_request', 400, `unexpected multipart field "${part.fieldname}"; use "file"`);
    }
    const fileName = uploadFileName(part.filename);
    if (!isAcceptedFileName(fileName)) {
      part.file.resume();
      throw new AppError(
        'unsupported_media_type',
        415,
        `"${fileName || '(no name)'}" is not a supported file type; accepted: ${acceptedFileExtensions.join(', ')}`,
      );
    }
    const bytes = await part.toBuffer().catch((error: unknown) => {
      // The plugin's own message ("request file too large") does not say what the limit is.
      if ((error as { statusCode?: number }).statusCode !== 413) throw error;
      throw new AppError(
        'payload_too_large',
        413,
        `"${fileName}" is larger than ${describeBytes(maxBytes)}, the largest file this server accepts (MAX_UPLOAD_BYTES)`,
        { cause: error },
      );
    });
    uploads.push({ fileName, bytes, contentType: part.mimetype });
  }
  if (uploads.length === 0)
    throw new AppError('bad_request', 400, 'no file was sent; use a multipart field named "file"');
  return uploads;
}
