import { knowledgeFileInfoSchema } from '@threadline/shared';
import { useEffect, useState } from 'react';
import { endpoints } from '../config/api.js';
import { requestJson } from './http.js';

const cache = new Map<string, Promise<string | null>>();

/** A cited file's name (the marker's name can be a placeholder like `source`), looked up once per file id; null while unknown or when the lookup fails. */
export function fetchFileName(fileId: string): Promise<string | null> {
  let pending = cache.get(fileId);
  if (!pending) {
    pending = requestJson(endpoints().knowledgeFile(fileId), knowledgeFileInfoSchema).then(
      (info) => info.fileName,
      () => {
        cache.delete(fileId); // allow a later retry
        return null;
      },
    );
    cache.set(fileId, pending);
  }
  return pending;
}

export function useFileName(fileId: string, known: string | null, isWanted: boolean): string | null {
  const [fetched, setFetched] = useState<string | null>(null);
  useEffect(() => {
    if (fileId === '' || !isWanted) return;
    let isCurrent = true;
    void fetchFileName(fileId).then((name) => {
      if (isCurrent) setFetched(name);
    });
    return () => {
      isCurrent = false;
    };
  }, [fileId, isWanted]);
  return fetched ?? known;
}
