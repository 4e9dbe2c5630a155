/**
 * The Piper worker thread, as plain CommonJS run with `eval`, so it starts the same way under tsx,
 * vitest and the compiled server: it loads the voice on onnxruntime-node (path resolved by the
 * main thread) and turns phoneme ids into 16-bit PCM, one sentence at a time, off the event loop.
 */
export const piperWorkerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.onnxruntime);
const loading = ort.InferenceSession.create(workerData.modelPath, {
  intraOpNumThreads: workerData.threads,
  interOpNumThreads: 1,
});
loading.then(
  () => parentPort.postMessage({ id: -1, ready: true }),
  (error) => parentPort.postMessage({ id: -1, error: String(error && error.message || error) }),
);
let queue = Promise.resolve();
parentPort.on('message', (request) => {
  queue = queue.then(async () => {
    try {
      const session = await loading;
      const ids = BigInt64Array.from(request.ids, (id) => BigInt(id));
      const output = await session.run({
        input: new ort.Tensor('int64', ids, [1, ids.length]),
        input_lengths: new ort.Tensor('int64', BigInt64Array.from([BigInt(ids.length)]), [1]),
        scales: new ort.Tensor('float32', Float32Array.from(request.scales), [3]),
      });
      const samples = output[session.outputNames[0]].data;
      // Clipped, not normalised per sentence: a sentence keeps the loudness the voice gave it.
      const pcm = new Int16Array(samples.length);
      for (let index = 0; index < samples.length; index++) {
        pcm[index] = Math.round(Math.max(-1, Math.min(1, samples[index])) * 32767);
      }
      parentPort.postMessage({ id: request.id, pcm }, [pcm.buffer]);
    } catch (error) {
      parentPort.postMessage({ id: request.id, error: String(error && error.message || error) });
    }
  });
});
`;
