import type { KnowledgeFile } from '@threadline/shared';
import { TrashIcon } from '../../components/icons.js';

export type Upload = { key: string; name: string; progress: number; error: string | null };

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function StatusCell({ file }: { file: KnowledgeFile }) {
  switch (file.status) {
    case 'in_progress':
      return <span className="badge busy">Processing…</span>;
    case 'completed':
      return <span className="badge ok">Ready · {file.chunkCount} chunks</span>;
    case 'failed':
      return (
        <span className="badge failed" title={file.lastError?.code}>
          Failed: {file.lastError?.message ?? 'no reason given'}
        </span>
      );
    case 'cancelled':
      return <span className="badge">Cancelled</span>;
  }
}

type FilesTableProps = { files: KnowledgeFile[]; uploads: Upload[]; onDelete: (file: KnowledgeFile) => void };

export function FilesTable({ files, uploads, onDelete }: FilesTableProps) {
  if (files.length === 0 && uploads.length === 0) {
    return <p className="placeholder">No files in this store yet. Drop some above.</p>;
  }
  return (
    <table className="files">
      <thead>
        <tr>
          <th>File</th>
          <th>Size</th>
          <th>Status</th>
          <th>
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {uploads.map((upload) => (
          <tr key={upload.key}>
            <td className="file-name">{upload.name}</td>
            <td />
            <td>
              {upload.error ? (
                <span className="badge failed">Upload failed: {upload.error}</span>
              ) : (
                <span className="upload-progress">
                  <progress max={1} value={upload.progress} aria-label={`Uploading ${upload.name}`} />
                  {Math.round(upload.progress * 100)}%
                </span>
              )}
            </td>
            <td />
          </tr>
        ))}
        {files.map((file) => (
          <tr key={file.id}>
            <td className="file-name">{file.fileName}</td>
            <td>{size(file.bytes)}</td>
            <td>
              <StatusCell file={file} />
            </td>
            <td>
              <button
                type="button"
                className="icon-button"
                aria-label={`Delete ${file.fileName}`}
                onClick={() => onDelete(file)}
              >
                <TrashIcon />
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
