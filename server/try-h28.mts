import { readFileSync } from 'node:fs';
import { WhisperOnnx } from '/work/wt-h28/server/src/speech/whisper-onnx.ts';
const w = new WhisperOnnx({ modelDir: process.env.DIR, threads: 2, ffmpeg: '/usr/bin/ffmpeg' });
let t = performance.now();
console.log('load ms', await w.start(), performance.now() - t);
for (const f of process.argv.slice(2)) {
  t = performance.now();
  const r = await w.transcribe(readFileSync(f), {});
  console.log(f, Math.round(performance.now() - t), 'ms', JSON.stringify(r));
}
await w.close();
