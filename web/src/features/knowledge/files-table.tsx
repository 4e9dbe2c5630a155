import { meaningIndexShare, type KnowledgeFile, type MeaningIndex } from '@threadline/shared';
import { TrashIcon } from '../../components/icons.js';

export type Upload = { key: string; name: string; progress: number; error: string | null };

export const formatSize = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * "meaning index 40%" while a searchable file's (or store's) vectors are still being computed;
 * null once they are all in, or when the engine does not say.
 */
export function meaningIndexText(index: MeaningIndex | undefined): string | null {
  if (!index) return null;
  const share = meaningIndexShare(index);
  // Floor, so 99.6% is not shown as a finished 100%.
  return share >= 1 ? null : `meaning index ${Math.floor(share * 100)}%`;
}

function StatusCell({ file }: { file: KnowledgeFile }) {
  const meaning = meaningIndexText(file.meaningIndex);
  switch (file.status) {
    case 'in_progress':
      return <span className="badge busy">Processing…</span>;
    case 'completed':
      return (
        <span
          className="badge ok"
          title={
            meaning ? 'Searchable by its words now; search by meaning improves as the index fills' : undefined
          }
        >
          Ready · {file.chunkCount} {file.chunkCount === 1 ? 'chunk' : 'chunks'}
          {meaning && ` · ${meaning}`}
        </span>
      );
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

type FilesTableProps = {
  files: KnowledgeFile[];
  uploads: Upload[];
  onDelete: (file: KnowledgeFile) => void;
  onDismissUpload: (key: string) => void;
};

/** One row per file (a card per file on a phone: see the stylesheet), uploads in flight first. */
export function FilesTable({ files, uploads, onDelete, onDismissUpload }: FilesTableProps) {
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
            <td className="file-size" />
            <td className="file-status">
              {upload.error ? (
                <span className="badge failed">Upload failed: {upload.error}</span>
              ) : (
                <span className="upload-progress">
                  <progress max={1} value={upload.progress} aria-label={`Uploading ${upload.name}`} />
                  {Math.round(upload.progress * 100)}%
                </span>
              )}
            </td>
            <td className="file-actions">
              {upload.error && (
                <button
                  type="button"
                  className="button small"
                  aria-label={`Dismiss ${upload.name}`}
                  onClick={() => onDismissUpload(upload.key)}
                >
                  Dismiss
                </button>
              )}
            </td>
          </tr>
        ))}
        {files.map((file) => (
          <tr key={file.id}>
            <td className="file-name">{file.fileName}</td>
            <td className="file-size">{formatSize(file.bytes)}</td>
            <td className="file-status">
              <StatusCell file={file} />
            </td>
            <td className="file-actions">
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
