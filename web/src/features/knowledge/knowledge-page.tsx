import { isSampleKnowledgeBaseName, type KnowledgeFile, type VectorStoreSummary } from '@threadline/shared';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { describeError } from '../../lib/api-error.js';
import { useLocalValue, vectorStorePreference } from '../../lib/preferences.js';
import { useServerStatus } from '../../lib/server-status.js';
import { FileDropzone } from './file-dropzone.js';
import { FilesTable, formatSize, meaningIndexText, type Upload } from './files-table.js';
import {
  createVectorStore,
  deleteFile,
  getKnowledgeLimits,
  listFiles,
  listVectorStores,
  loadSampleKnowledgeBase,
  uploadFile,
} from './knowledge-api.js';

const pollMilliseconds = 1000;

/** Vector stores and their files: pick or create a store, upload, watch ingestion, delete. */
export function KnowledgePage() {
  const selectedId = useLocalValue(vectorStorePreference);
  const [stores, setStores] = useState<VectorStoreSummary[] | null>(null);
  const [files, setFiles] = useState<KnowledgeFile[]>([]);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [isLoadingSample, setIsLoadingSample] = useState(false);
  const [newName, setNewName] = useState('');
  const [hasListFailed, setHasListFailed] = useState(false);
  const isServerReachable = useServerStatus().state === 'reachable';
  const [maxUploadBytes, setMaxUploadBytes] = useState<number | null>(null);

  useEffect(() => {
    getKnowledgeLimits().then(
      (limits) => setMaxUploadBytes(limits.maxUploadBytes),
      () => undefined, // then the server's own 413 names the limit
    );
  }, []);

  const refreshStores = useCallback(async () => {
    try {
      const list = await listVectorStores();
      setStores(list.data);
      setHasListFailed(false);
      if (!selectedId || !list.data.some((store) => store.id === selectedId)) {
        vectorStorePreference.set(list.data[0]?.id ?? null);
      }
    } catch (error) {
      // Not "no stores": the list could not be read. Keep what was shown and say so.
      setProblem(describeError(error));
      setHasListFailed(true);
    }
  }, [selectedId]);

  useEffect(() => {
    void refreshStores();
  }, [refreshStores]);

  // A list that failed (server unreachable) is read again as soon as the server is back.
  useEffect(() => {
    if (isServerReachable && hasListFailed) void refreshStores();
  }, [isServerReachable, hasListFailed, refreshStores]);

  const refreshFiles = useCallback(async () => {
    if (!selectedId) return setFiles([]);
    try {
      setFiles((await listFiles(selectedId)).data);
    } catch (error) {
      setProblem(describeError(error));
    }
  }, [selectedId]);

  useEffect(() => {
    void refreshFiles();
  }, [refreshFiles]);

  // Ingestion runs on the server after the upload: poll until every file has settled and its
  // meaning index is full, then read the stores again so the picker's figures are current.
  const isIngesting = files.some(
    (file) =>
      file.status === 'in_progress' ||
      (file.status === 'completed' && meaningIndexText(file.meaningIndex) !== null),
  );
  useEffect(() => {
    if (!isIngesting) return;
    const timer = setInterval(() => void refreshFiles(), pollMilliseconds);
    return () => {
      clearInterval(timer);
      void refreshStores();
    };
  }, [isIngesting, refreshFiles, refreshStores]);

  const upload = (list: File[]) => {
    if (!selectedId) return;
    for (const file of list) {
      const key = `${file.name}-${Date.now()}-${Math.random()}`;
      // Checked before sending: a file over the limit would only be refused after uploading.
      if (maxUploadBytes !== null && file.size > maxUploadBytes) {
        const error = `${formatSize(file.size)} is over this server's limit of ${formatSize(maxUploadBytes)} per file; it was not sent.`;
        setUploads((current) => [...current, { key, name: file.name, progress: 0, error }]);
        continue;
      }
      setUploads((current) => [...current, { key, name: file.name, progress: 0, error: null }]);
      const patch = (change: Partial<Upload>) =>
        setUploads((current) => current.map((item) => (item.key === key ? { ...item, ...change } : item)));
      uploadFile(selectedId, file, (progress) => patch({ progress })).promise.then(
        (created) => {
          setUploads((current) => current.filter((item) => item.key !== key));
          const ids = new Set(created.map((item) => item.id));
          setFiles((current) => [...created, ...current.filter((item) => !ids.has(item.id))]);
          void refreshStores();
        },
        (error: unknown) => patch({ error: describeError(error) }),
      );
    }
  };
  const dismissUpload = (key: string) => setUploads((current) => current.filter((item) => item.key !== key));

  const loadSample = async () => {
    setIsLoadingSample(true);
    setProblem(null);
    try {
      const sample = await loadSampleKnowledgeBase();
      vectorStorePreference.set(sample.vectorStore.id);
      setFiles(sample.files);
      await refreshStores();
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setIsLoadingSample(false);
    }
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (newName.trim() === '') return;
    try {
      const store = await createVectorStore(newName.trim());
      setNewName('');
      vectorStorePreference.set(store.id);
      await refreshStores();
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  const remove = async (file: KnowledgeFile) => {
    try {
      await deleteFile(file.vectorStoreId, file.id);
      setFiles((current) => current.filter((item) => item.id !== file.id));
      await refreshStores();
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  const selected = stores?.find((store) => store.id === selectedId) ?? null;
  const hasSample = stores?.some((store) => isSampleKnowledgeBaseName(store.name)) ?? true;
  return (
    <section className="knowledge page-column" aria-label="Knowledge base">
      <h1>Knowledge base</h1>
      <p className="lead">
        Your stores and their files. Which stores a conversation searches is chosen under the chat's question
        box (new conversations search your default).
      </p>
      {problem && (
        <div className="problem" role="alert">
          {problem}{' '}
          <button type="button" className="link-button" onClick={() => setProblem(null)}>
            Dismiss
          </button>
        </div>
      )}
      {!hasSample && (
        <div className="card sample-card">
          <div>
            <strong>First time here?</strong> Load Threadline's own documentation as a sample, then ask about
            it.
          </div>
          <button
            type="button"
            className="button primary"
            onClick={() => void loadSample()}
            disabled={isLoadingSample}
          >
            {isLoadingSample ? 'Loading the sample…' : 'Load the sample knowledge base'}
          </button>
        </div>
      )}
      <div className="store-bar">
        <label>
          Store{' '}
          <select
            value={selectedId ?? ''}
            onChange={(event) => vectorStorePreference.set(event.target.value || null)}
            disabled={!stores || stores.length === 0}
          >
            {stores === null && (
              <option value="">
                {hasListFailed ? 'Stores unavailable (server unreachable)' : 'Loading…'}
              </option>
            )}
            {stores?.length === 0 && <option value="">No stores yet</option>}
            {stores?.map((store) => (
              <option key={store.id} value={store.id}>
                {store.name} ({store.fileCounts.total} {store.fileCounts.total === 1 ? 'file' : 'files'}
                {meaningIndexText(store.meaningIndex) && ` · ${meaningIndexText(store.meaningIndex)}`})
              </option>
            ))}
          </select>
        </label>
        <form className="new-store" onSubmit={(event) => void create(event)}>
          <input
            aria-label="New store name"
            placeholder="New store name"
            value={newName}
            maxLength={256}
            onChange={(event) => setNewName(event.target.value)}
          />
          <button type="submit" className="button" disabled={newName.trim() === ''}>
            Create
          </button>
        </form>
      </div>
      {selected ? (
        <>
          <FileDropzone onFiles={upload} disabled={false} maxUploadBytes={maxUploadBytes} />
          <FilesTable
            files={files}
            uploads={uploads}
            onDelete={(file) => void remove(file)}
            onDismissUpload={dismissUpload}
          />
        </>
      ) : (
        stores !== null && <p className="placeholder">Create a store or load the sample to start.</p>
      )}
    </section>
  );
}
