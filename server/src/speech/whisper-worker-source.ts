/**
 * The speech-to-text worker's Python source, run as \`python -c\` so the compiled server needs no
 * extra file beside it. faster-whisper runs Whisper's CTranslate2 weights (int8 on the CPU); PyAV,
 * inside its wheel, decodes webm/opus, ogg, mp3, m4a, flac and wav without a system ffmpeg.
 */
export const whisperWorkerSource = String.raw`"""Threadline's speech-to-text worker: Whisper (CTranslate2 weights) through faster-whisper.

One process, the model loaded once, one request at a time. Requests and replies are JSON lines:
  in:  {"id": 1, "path": "/tmp/x.webm", "language": null, "prompt": null}
  out: {"id": 1, "text": "...", "language": "en", "duration": 6.1, "segments": [...]}
    or {"id": 1, "error": "invalid_audio" | "failed", "message": "..."}
Decoding is PyAV's (FFmpeg's libraries inside its wheel), so webm/opus, ogg, mp3, m4a, flac and
wav all work without a system ffmpeg.
"""

import json
import os
import sys

from faster_whisper import WhisperModel


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    model_dir = sys.argv[1]
    threads = int(os.environ.get("STT_THREADS", "2"))
    model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
    reply({"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        request_id = request.get("id")
        try:
            import av  # noqa: F401  (the error type below)

            segments, info = model.transcribe(
                request["path"],
                language=request.get("language") or None,
                initial_prompt=request.get("prompt") or None,
                beam_size=5,
                vad_filter=False,
            )
            if info.duration <= 0:
                raise ValueError("the file holds no audio samples")
            items = [
                {"id": index, "start": round(s.start, 2), "end": round(s.end, 2), "text": s.text}
                for index, s in enumerate(segments)
            ]
            reply(
                {
                    "id": request_id,
                    "text": "".join(item["text"] for item in items).strip(),
                    "language": info.language,
                    "duration": round(info.duration, 3),
                    "segments": items,
                }
            )
        except Exception as error:  # noqa: BLE001 - every failure is one reply, the worker lives on
            name = type(error).__name__
            is_audio_error = (
                type(error).__module__.startswith("av")
                or name in ("InvalidDataError", "IndexError", "ValueError")
                or "Invalid data" in str(error)
            )
            reply(
                {
                    "id": request_id,
                    "error": "invalid_audio" if is_audio_error else "failed",
                    "message": f"{name}: {error}",
                }
            )


if __name__ == "__main__":
    main()
`;
