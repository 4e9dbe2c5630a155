import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { pdfLayoutText, type PdfPage } from './pdf-layout.js';

/**
 * PDF text extraction in a worker thread. pdf.js installs core-js polyfills
 * over the built-ins of the realm that loads it — `Array.prototype.push`, `JSON.parse`,
 * `Function.prototype.toString` and some 20 more — which slowed every request the server handled
 * and let a PDF library decide how the server parses JSON. A worker is a realm of its own. It also
 * keeps a long PDF's parsing (seconds of CPU) off the event loop that relays the chat streams.
 *
 * One worker, started on the first PDF, serves documents one after another and exits when idle.
 * A document that runs past `timeoutMs` or exhausts the worker's memory ends that worker; the
 * next document gets a new one.
 */
export type PdfTextWorkerOptions = {
  /** How long one document may take before the worker is ended (default 2 minutes). */
  timeoutMs?: number;
  /** How long an idle worker stays up for the next document (default 30 s). */
  idleMs?: number;
  /** The worker's heap limit, so a hostile PDF cannot take the server's memory (default 1 GiB). */
  maxHeapMb?: number;
};

/**
 * Why a document's text could not be read: the PDF is damaged or encrypted, it needed more time
 * or memory than the worker may take, or the worker stopped for another reason.
 */
export class PdfTextError extends Error {
  override readonly name = 'PdfTextError';
  constructor(
    readonly reason: 'unreadable' | 'encrypted' | 'over_limit' | 'stopped',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

type Reply = { pages?: PdfPage[]; error?: { name: string; message: string } };
type Job = {
  bytes: Uint8Array<ArrayBuffer>;
  resolve: (text: string) => void;
  reject: (error: PdfTextError) => void;
};

// Plain CommonJS so the worker needs no TypeScript loader; the module path comes from the parent.
// It hands back where each run of text sits and in which font (after the operator list, which
// loads the fonts): the layout is rebuilt from that in pdf-layout.ts.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const fontOf = (page, content, id) => {
  let font = null;
  try { font = page.commonObjs.get(id); } catch { font = null; }
  const name = (font && font.name) || '';
  const family = (content.styles[id] && content.styles[id].fontFamily) || '';
  return {
    isBold: Boolean(font && (font.bold || font.black)) || /bold|black|heavy|semibold|demi/i.test(name),
    isItalic: Boolean(font && font.italic) || /italic|oblique/i.test(name),
    isMonospace: family === 'monospace' || /mono|courier|consol|menlo|typewriter/i.test(name),
  };
};
parentPort.on('message', async (bytes) => {
  let document = null;
  try {
    const pdfjs = await import(pathToFileURL(workerData.pdfjsPath).href);
    document = await pdfjs.getDocument({ data: bytes, verbosity: 0, isEvalSupported: false }).promise;
    const pages = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      await page.getOperatorList();
      const content = await page.getTextContent();
      const viewport = page.getViewport({ scale: 1 });
      const fonts = {};
      const items = [];
      for (const item of content.items) {
        if (!('str' in item) || item.str === '') continue;
        if (!(item.fontName in fonts)) fonts[item.fontName] = fontOf(page, content, item.fontName);
        const [a, b, c, d, x, y] = item.transform;
        items.push({
          text: item.str,
          x,
          y,
          width: item.width,
          size: Math.hypot(c, d) || Math.hypot(a, b) || item.height,
          font: item.fontName,
        });
      }
      pages.push({ width: viewport.width, height: viewport.height, items, fonts });
      page.cleanup();
    }
    parentPort.postMessage({ pages });
  } catch (error) {
    const isError = error instanceof Error;
    parentPort.postMessage({
      error: { name: isError ? error.name : 'Error', message: isError ? error.message : String(error) },
    });
  } finally {
    if (document) await document.destroy().catch(() => {});
  }
});
`;

export class PdfTextWorker {
  private worker: Worker | null = null;
  private readonly queue: Job[] = [];
  /** The document the worker is reading, with its deadline. */
  private current: { job: Job; timer: NodeJS.Timeout } | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;
  private readonly idleMs: number;
  private readonly maxHeapMb: number;

  constructor(options: PdfTextWorkerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.idleMs = options.idleMs ?? 30_000;
    this.maxHeapMb = options.maxHeapMb ?? 1024;
  }

  /**
   * The document's text as pdf-layout.ts rebuilds it, each page ended by a `-- n of m --` line.
   * Documents are read one at a time.
   */
  extract(bytes: Uint8Array): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      // A copy the worker can own: the caller's bytes may be a view into a shared pool.
      this.queue.push({ bytes: new Uint8Array(bytes), resolve, reject });
      this.next();
    });
  }

  /** Ends the worker; documents being read or waiting fail. */
  async close(): Promise<void> {
    const failure = new PdfTextError('stopped', 'the server is shutting down');
    for (const job of this.queue.splice(0)) job.reject(failure);
    const worker = this.worker;
    if (worker) this.fail(worker, failure);
    clearTimeout(this.idleTimer);
    // Referenced, so a process with nothing else left to do waits for the worker to end.
    worker?.ref();
    await worker?.terminate();
  }

  private next(): void {
    if (this.current) return;
    const job = this.queue.shift();
    if (!job) return this.idle();
    clearTimeout(this.idleTimer);
    let worker: Worker;
    try {
      worker = this.worker ??= this.start();
    } catch (error) {
      // No thread could be started (out of memory or threads): this document fails, the next tries again.
      job.reject(new PdfTextError('stopped', 'the PDF reader could not start', { cause: error }));
      return this.next();
    }
    worker.ref();
    const timer = setTimeout(
      () =>
        this.fail(
          worker,
          new PdfTextError('over_limit', `reading the PDF took longer than ${this.timeoutMs / 1000} s`),
        ),
      this.timeoutMs,
    );
    this.current = { job, timer };
    worker.postMessage(job.bytes, [job.bytes.buffer]);
  }

  private idle(): void {
    const worker = this.worker;
    if (!worker) return;
    // The idle worker must not keep the process alive, and exits if no document comes.
    worker.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker === worker && !this.current) {
        this.worker = null;
        void worker.terminate();
      }
    }, this.idleMs).unref();
  }

  private start(): Worker {
    const pdfjsPath = createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs');
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { pdfjsPath },
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
    });
    worker.on('message', (reply: Reply) => this.finish(worker, reply));
    worker.on('error', (error) => {
      const isOutOfMemory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.fail(
        worker,
        isOutOfMemory
          ? new PdfTextError('over_limit', `reading the PDF needed more than ${this.maxHeapMb} MB of memory`)
          : new PdfTextError('stopped', 'the PDF reader failed', { cause: error }),
      );
    });
    worker.on('exit', () => this.fail(worker, new PdfTextError('stopped', 'the PDF reader stopped')));
    return worker;
  }

  private finish(worker: Worker, { pages, error }: Reply): void {
    const current = this.current;
    if (this.worker !== worker || !current) return;
    clearTimeout(current.timer);
    this.current = null;
    if (error) {
      const reason = error.name === 'PasswordException' ? 'encrypted' : 'unreadable';
      current.job.reject(new PdfTextError(reason, `${error.name}: ${error.message}`));
    } else current.job.resolve(pdfLayoutText(pages ?? []));
    this.next();
  }

  /** Ends `worker` (once), fails the document it was reading and moves on to the next. */
  private fail(worker: Worker, failure: PdfTextError): void {
    if (this.worker !== worker) return;
    this.worker = null;
    void worker.terminate();
    const current = this.current;
    this.current = null;
    if (current) {
      clearTimeout(current.timer);
      current.job.reject(failure);
    }
    this.next();
  }
}
