import { acceptedFileExtensions } from '@threadline/shared';
import { useRef, useState, type DragEvent } from 'react';
import { formatSize } from './files-table.js';

/** Drop several files (or pick them); only accepted types are passed on, the rest are named. */
type FileDropzoneProps = {
  onFiles: (files: File[]) => void;
  disabled: boolean;
  /** Named under the types; null while unknown. */
  maxUploadBytes: number | null;
};

export function FileDropzone({ onFiles, disabled, maxUploadBytes }: FileDropzoneProps) {
  const [isOver, setIsOver] = useState(false);
  const [rejected, setRejected] = useState<string[]>([]);
  const input = useRef<HTMLInputElement>(null);

  const take = (list: FileList | null) => {
    const files = [...(list ?? [])];
    const isAccepted = (file: File) =>
      acceptedFileExtensions.some((extension) => file.name.toLowerCase().endsWith(extension));
    setRejected(files.filter((file) => !isAccepted(file)).map((file) => file.name));
    const accepted = files.filter(isAccepted);
    if (accepted.length > 0) onFiles(accepted);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setIsOver(false);
    if (!disabled) take(event.dataTransfer.files);
  };

  return (
    <div
      className={`dropzone${isOver ? ' over' : ''}${disabled ? ' disabled' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setIsOver(true);
      }}
      onDragLeave={() => setIsOver(false)}
      onDrop={onDrop}
    >
      <p>
        <strong>Drop files here</strong> or{' '}
        <button
          type="button"
          className="link-button"
          disabled={disabled}
          onClick={() => input.current?.click()}
        >
          choose files
        </button>
      </p>
      <p className="hint">
        {acceptedFileExtensions.join(', ')}
        {maxUploadBytes !== null && ` · up to ${formatSize(maxUploadBytes)} per file`}
      </p>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={acceptedFileExtensions.join(',')}
        aria-label="Files to upload"
        onChange={(event) => {
          take(event.target.files);
          event.target.value = '';
        }}
      />
      {rejected.length > 0 && (
        <p className="problem small" role="alert">
          Not a supported type, skipped: {rejected.join(', ')}
        </p>
      )}
    </div>
  );
}
