import { filePageSchema } from '@threadline/shared';
import { useEffect, useState } from 'react';
import { endpoints } from '../config/api.js';
import { requestJson } from './http.js';

const cache = new Map<string, Promise<number | null>>();

/** The page of a cited PDF on which the passage starts, asked once per passage; null otherwise. */
export function usePdfPage(
  fileId: string,
  fileName: string | null,
  quote: string | null,
  isWanted: boolean,
): number | null {
  const [page, setPage] = useState<number | null>(null);
  const isPdf = fileName?.toLowerCase().endsWith('.pdf') ?? false;
  useEffect(() => {
    if (!isWanted || !isPdf || fileId === '' || !quote) return;
    const key = `${fileId}\n${quote}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = requestJson(endpoints().knowledgeFilePage(fileId, quote.slice(0, 4096)), filePageSchema).then(
        (answer) => answer.page,
        () => {
          cache.delete(key);
          return null;
        },
      );
      cache.set(key, pending);
    }
    let isCurrent = true;
    void pending.then((found) => {
      if (isCurrent) setPage(found);
    });
    return () => {
      isCurrent = false;
    };
  }, [fileId, isPdf, quote, isWanted]);
  return page;
}
