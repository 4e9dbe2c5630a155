"""Checks whisper-to-onnx.py's graphs against CTranslate2 running the same model.bin (issue #28).

    python whisper-to-onnx-test.py <dir with model.bin and the converter's output>

eSpeak NG speaks the questions the speech tests ask; faster-whisper decodes the audio and makes
the log-mel features (its own FeatureExtractor), then both runtimes read the same features:
- the encoder states agree (max absolute difference under 2e-3, float32 both sides);
- greedy decoding with <|notimestamps|> (CTranslate2's `generate`, beam 1, against a loop over
  decoder.onnx with its self-attention cache) gives the same tokens, token for token;
- the language detected from the first decoder step over the language tokens is CTranslate2's.
Exits non-zero on any difference. setup-speech.sh runs it after each conversion.
"""

import json
import os
import subprocess
import sys
import tempfile

import ctranslate2
import numpy as np
import onnxruntime
from faster_whisper.audio import decode_audio, pad_or_trim
from faster_whisper.feature_extractor import FeatureExtractor

PHRASES = [
    "How do I rotate the signing keys for the staging cluster?",
    "What is the hotel limit per night when traveling for work?",
    "Who has to approve the change before it goes live?",
    "How much are meals reimbursed per day?",
]


def features_of(text, directory, index):
    wav = os.path.join(directory, f"{index}.wav")
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", wav, text], check=True)
    features = FeatureExtractor()(decode_audio(wav))
    # As faster-whisper's transcribe: the content frames (the last one dropped), padded to 30 s.
    return pad_or_trim(features[:, : features.shape[-1] - 1])[None].astype(np.float32)


def main():
    model_dir = sys.argv[1]
    config = json.load(open(os.path.join(model_dir, "config.json")))
    layers = json.load(open(os.path.join(model_dir, "onnx.json")))["decoder_layers"]
    tokenizer = json.load(open(os.path.join(model_dir, "tokenizer.json")))
    special = {token["content"]: token["id"] for token in tokenizer["added_tokens"]}
    eot, sot = special["<|endoftext|>"], special["<|startoftranscript|>"]
    prefix = [sot, special["<|en|>"], special["<|transcribe|>"], special["<|notimestamps|>"]]
    # Both sides suppress the same tokens: the model's list, and every special or timestamp token.
    suppressed = sorted(set(config["suppress_ids"]) | set(range(eot + 1, 51865)))

    reference = ctranslate2.models.Whisper(model_dir, device="cpu", compute_type="float32")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    session = lambda name: onnxruntime.InferenceSession(os.path.join(model_dir, name), options)  # noqa: E731
    encoders = {"float": session("encoder.onnx")}
    decoder = session("decoder.onnx")

    def step(tokens, start, cache, cross):
        n = len(tokens)
        past = cache[0].shape[2]
        mask = np.zeros((n, past + n), dtype=np.float32)
        mask[:, past:] = np.triu(np.full((n, n), -1e9, dtype=np.float32), 1)
        feed = {"tokens": np.array([tokens], dtype=np.int64), "positions": np.arange(start, start + n, dtype=np.int64), "mask": mask}
        for layer in range(layers):
            feed[f"past_k_{layer}"], feed[f"past_v_{layer}"] = cache[2 * layer], cache[2 * layer + 1]
            feed[f"cross_k_{layer}"], feed[f"cross_v_{layer}"] = cross[2 * layer], cross[2 * layer + 1]
        logits, *present = decoder.run(None, feed)
        return logits[0], present

    def greedy(cross):
        empty = [np.zeros((1, 8, 0, 64), dtype=np.float32)] * (2 * layers)
        logits, _ = step([sot], 0, empty, cross)
        language_ids = config["lang_ids"]
        language = language_ids[int(np.argmax(logits[language_ids]))]
        generated = []
        logits, cache = step(list(prefix), 0, empty, cross)
        while len(generated) < 224:
            logits[suppressed] = -np.inf
            if not generated:
                logits[config["suppress_ids_begin"]] = -np.inf
            token = int(np.argmax(logits))
            if token == eot:
                break
            generated.append(token)
            logits, cache = step([token], len(prefix) + len(generated) - 1, cache, cross)
        return generated, next(name for name, id in special.items() if id == language)

    failures = 0
    with tempfile.TemporaryDirectory() as directory:
        for index, text in enumerate(PHRASES):
            mel = features_of(text, directory, index)
            features = ctranslate2.StorageView.from_array(mel)
            expected_states = np.array(reference.encode(features, to_cpu=True))
            expected_language = reference.detect_language(features)[0][0][0]
            expected = reference.generate(
                features, [prefix], beam_size=1, max_length=224,
                suppress_tokens=suppressed, suppress_blank=True, return_scores=False,
            )[0].sequences_ids[0]
            for kind, encoder in encoders.items():
                states, *cross = encoder.run(None, {"mel": mel})
                difference = float(np.abs(states - expected_states).max())
                generated, language = greedy(cross)
                same = generated == expected and language == expected_language and difference < 2e-3
                print(
                    f"{'ok  ' if same else 'FAIL'} {kind:5} {text!r}: {len(generated)} tokens, "
                    f"{'same' if generated == expected else f'onnx {generated} vs ctranslate2 {expected}'}; "
                    f"encoder max |diff| {difference:.2e}; language {language} (ctranslate2 {expected_language})"
                )
                failures += 0 if same else 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
