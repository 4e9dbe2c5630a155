import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import {
  causalMask,
  decodeWindow,
  likeliestLanguage,
  type DecoderStep,
  type WhisperSpecials,
} from './whisper-decoding.js';
import { logMel, melBins, melWindow, sampleRate, windowFrames, windowStarts } from './whisper-mel.js';
import { createWhisperTokenizer, type TokenizerJson } from './whisper-tokenizer.js';

/**
 * The speech-to-text worker thread: Whisper as ONNX (encoder.onnx, decoder.onnx, converted from
 * the CTranslate2 weights by scripts/whisper-to-onnx.py) on onnxruntime-node. It computes the
 * log-mel features, runs the encoder once per 30 s window, detects the language from the first
 * window unless one is given, and decodes greedily with the self-attention cache; all of it off
 * the main thread. Started by whisper-onnx.ts; one request at a time, in order.
 */
export type WhisperWorkerSettings = { modelDir: string; threads: number };

export type WhisperWorkerRequest = {
  id: number;
  /** 16 kHz mono. */
  samples: Float32Array;
  language: string | null;
  prompt: string | null;
};

export type WhisperWorkerReply =
  | { kind: 'ready'; loadMs: number }
  | { kind: 'not-loaded'; error: string }
  | {
      kind: 'transcribed';
      id: number;
      text: string;
      language: string;
      duration: number;
      segments: { id: number; start: number; end: number; text: string }[];
    }
  | { kind: 'failed'; id: number; error: string; isBadRequest: boolean };

/** faster-whisper's default: greedy decoding misheard a test question that this gets right. */
const beamSize = 5;

type ModelConfig = { lang_ids: number[]; suppress_ids: number[]; suppress_ids_begin: number[] };

const settings = workerData as WhisperWorkerSettings;
const port = parentPort;
if (!port) throw new Error('whisper-worker.ts runs as a worker thread');

const started = performance.now();
/**
 * Both graphs get STT_THREADS (five beams make the decoder's products big enough to share). Idle
 * threads do not spin: they would take CPU from the event loop and the other workers.
 */
const sessionOptions = (threads: number) =>
  ({
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  }) as const;
const readJson = <T>(name: string) => JSON.parse(readFileSync(join(settings.modelDir, name), 'utf8')) as T;

const loading = (async () => {
  const config = readJson<ModelConfig>('config.json');
  const { decoder_layers: layers, heads } = readJson<{ decoder_layers: number; heads: number }>('onnx.json');
  const tokenizer = createWhisperTokenizer(readJson<TokenizerJson>('tokenizer.json'));
  const encoder = await ort.InferenceSession.create(
    join(settings.modelDir, 'encoder.onnx'),
    sessionOptions(settings.threads),
  );
  const decoder = await ort.InferenceSession.create(
    join(settings.modelDir, 'decoder.onnx'),
    sessionOptions(settings.threads),
  );
  const specialId = (name: string) => {
    const id = tokenizer.special(name);
    if (id === undefined) throw new Error(`tokenizer.json has no ${name}`);
    return id;
  };
  const specials: WhisperSpecials = {
    endOfText: tokenizer.endOfText,
    startOfTranscript: specialId('<|startoftranscript|>'),
    startOfPrevious: specialId('<|startofprev|>'),
    transcribe: specialId('<|transcribe|>'),
    noTimestamps: specialId('<|notimestamps|>'),
  };
  const languageNames = new Map(config.lang_ids.map((id) => [id, tokenizer.specialName(id)]));
  return { config, layers, heads, tokenizer, encoder, decoder, specials, languageNames };
})();
type Model = Awaited<typeof loading>;

loading.then(
  () =>
    port.postMessage({
      kind: 'ready',
      loadMs: Math.round(performance.now() - started),
    } satisfies WhisperWorkerReply),
  (error: unknown) =>
    port.postMessage({
      kind: 'not-loaded',
      error: error instanceof Error ? error.message : String(error),
    } satisfies WhisperWorkerReply),
);

/** Rows `parents` of a [beams, …] tensor, in that order: each new beam's cache is its parent's. */
function pickRows(tensor: ort.Tensor, parents: number[]): ort.Tensor {
  const [rows, ...rest] = tensor.dims as number[];
  const data = tensor.data as Float32Array;
  const size = data.length / (rows ?? 1);
  if (parents.length === rows && parents.every((parent, index) => parent === index)) return tensor;
  const picked = new Float32Array(parents.length * size);
  parents.forEach((parent, index) =>
    picked.set(data.subarray(parent * size, (parent + 1) * size), index * size),
  );
  return new ort.Tensor('float32', picked, [parents.length, ...rest]);
}

/**
 * A decoder with its own self-attention cache over one window's cross-attention keys/values
 * (shared by every beam: the graph broadcasts them); each call reorders the cache by the beams'
 * parents before extending it.
 */
function decoderSession(model: Model, cross: Record<string, ort.Tensor>): DecoderStep {
  const empty = () => new ort.Tensor('float32', new Float32Array(0), [1, model.heads, 0, 64]);
  let cache: ort.Tensor[] = Array.from({ length: 2 * model.layers }, empty);
  return async (tokens, firstPosition, parents) => {
    const past = cache[0]!.dims[2]!;
    const count = tokens[0]?.length ?? 0;
    const feeds: Record<string, ort.Tensor> = {
      tokens: new ort.Tensor('int64', BigInt64Array.from(tokens.flat(), BigInt), [tokens.length, count]),
      positions: new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: count }, (_, index) => BigInt(firstPosition + index)),
        [count],
      ),
      mask: new ort.Tensor('float32', causalMask(count, past), [count, past + count]),
      ...cross,
    };
    for (let layer = 0; layer < model.layers; layer++) {
      feeds[`past_k_${layer}`] = pickRows(cache[2 * layer]!, parents);
      feeds[`past_v_${layer}`] = pickRows(cache[2 * layer + 1]!, parents);
    }
    const outputs = await model.decoder.run(feeds);
    cache = Array.from({ length: model.layers }, (_, layer) => [
      outputs[`present_k_${layer}`]!,
      outputs[`present_v_${layer}`]!,
    ]).flat();
    return outputs.logits!.data as Float32Array;
  };
}

async function transcribe(model: Model, request: WhisperWorkerRequest) {
  const duration = request.samples.length / sampleRate;
  const mel = logMel(request.samples);
  let language = request.language === null ? undefined : model.tokenizer.special(`<|${request.language}|>`);
  if (request.language !== null && (language === undefined || !model.languageNames.has(language)))
    throw Object.assign(new Error(`Whisper does not know the language "${request.language}".`), {
      isBadRequest: true,
    });
  const previous = request.prompt ? model.tokenizer.encode(` ${request.prompt.trim()}`) : [];
  const segments: { id: number; start: number; end: number; text: string }[] = [];
  for (const start of windowStarts(mel)) {
    const encoded = await model.encoder.run({
      mel: new ort.Tensor('float32', melWindow(mel, start), [1, melBins, windowFrames]),
    });
    const cross: Record<string, ort.Tensor> = {};
    for (let layer = 0; layer < model.layers; layer++) {
      cross[`cross_k_${layer}`] = encoded[`cross_k_${layer}`]!;
      cross[`cross_v_${layer}`] = encoded[`cross_v_${layer}`]!;
    }
    if (language === undefined) {
      // faster-whisper detects the language on the first window: <|startoftranscript|> alone.
      const logits = await decoderSession(model, cross)([[model.specials.startOfTranscript]], 0, [0]);
      language = likeliestLanguage(logits, model.config.lang_ids);
    }
    const tokens = await decodeWindow(decoderSession(model, cross), {
      beamSize,
      specials: model.specials,
      language,
      previous,
      suppressed: model.config.suppress_ids,
      suppressedAtBegin: model.config.suppress_ids_begin,
    });
    // Each window's words become the next one's previous text (condition_on_previous_text).
    previous.push(...tokens);
    const text = model.tokenizer.decode(tokens);
    const seconds = start / 100;
    if (text.trim())
      segments.push({
        id: segments.length,
        start: round(seconds),
        end: round(Math.min(duration, seconds + 30)),
        text,
      });
  }
  const code = model.languageNames.get(language ?? -1) ?? '<|en|>';
  return {
    text: segments
      .map((segment) => segment.text)
      .join('')
      .trim(),
    language: code.slice(2, -2),
    duration: Math.round(duration * 1000) / 1000,
    segments,
  };
}

const round = (seconds: number) => Math.round(seconds * 100) / 100;

let previousRequest: Promise<unknown> = Promise.resolve();
port.on('message', (request: WhisperWorkerRequest) => {
  previousRequest = previousRequest.then(async () => {
    try {
      const model = await loading;
      port.postMessage({
        kind: 'transcribed',
        id: request.id,
        ...(await transcribe(model, request)),
      } satisfies WhisperWorkerReply);
    } catch (error) {
      port.postMessage({
        kind: 'failed',
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
        isBadRequest: (error as { isBadRequest?: boolean }).isBadRequest === true,
      } satisfies WhisperWorkerReply);
    }
  });
});
