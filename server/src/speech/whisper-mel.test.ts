import { describe, expect, it } from 'vitest';
import fixture from './whisper-mel.fixture.json' with { type: 'json' };
import { logMel, melBins, melFilters, melWindow, windowFrames, windowStarts } from './whisper-mel.js';

// The fixture is faster-whisper 1.2.1's numpy FeatureExtractor on the signal below (its `about`
// says so); it was made with the speech venv's Python and is 26 frames × 80 bins.
const signal = Float32Array.from({ length: 4000 }, (_, n) => {
  const tone =
    0.3 * Math.sin((2 * Math.PI * 440 * n) / 16000) + 0.2 * Math.sin((2 * Math.PI * 2500 * n) / 16000 + 1);
  return tone + 0.1 * (((n * 7919) % 200) / 100 - 1);
});

describe('logMel', () => {
  it("matches faster-whisper's features to 1e-3 on every bin of every frame", () => {
    const mel = logMel(signal);
    expect(mel.frames).toBe(fixture.frames);
    let worst = 0;
    fixture.features.forEach((expected, index) => {
      worst = Math.max(worst, Math.abs((mel.data[index] ?? Number.NaN) - expected));
    });
    expect(worst).toBeLessThan(1e-3);
  });

  it('has the Slaney filter bank (each filter sums as numpy’s does)', () => {
    const filters = melFilters();
    fixture.filterSums.forEach((expected, mel) => {
      const sum = filters.slice(mel * 201, (mel + 1) * 201).reduce((total, value) => total + value, 0);
      expect(sum).toBeCloseTo(expected, 5);
    });
  });

  it.each([
    ['silence (0.1 s, 160 zeros appended): 11 frames', new Float32Array(1600), 11],
    ['one sample', Float32Array.of(0.5), 1],
    ['exactly one hop', new Float32Array(160).fill(0.1), 2],
  ])('%s', (_, samples, frames) => {
    const mel = logMel(samples);
    expect(mel.frames).toBe(frames);
    expect(mel.data.every((value) => Number.isFinite(value))).toBe(true);
  });
});

describe('melWindow and windowStarts', () => {
  const clip = (frames: number) => ({
    frames,
    data: Float32Array.from({ length: melBins * frames }, (_, index) => 1 + (index % frames)),
  });

  it.each([
    ['a short clip: one window', 101, [0]],
    ['exactly 30 s of content', windowFrames + 1, [0]],
    ['just over 30 s', windowFrames + 2, [0, windowFrames]],
    ['75 s', 7501, [0, 3000, 6000]],
  ])('%s', (_, frames, starts) => {
    expect(windowStarts(clip(frames))).toEqual(starts);
  });

  it('copies the content frames of each bin and pads with zeros (the last frame is not content)', () => {
    const window = melWindow(clip(101), 0);
    expect(window.length).toBe(melBins * windowFrames);
    expect(window[0]).toBe(1);
    expect(window[99]).toBe(100);
    expect(window[100]).toBe(0); // frame 100 is the clip's last: dropped, as faster-whisper does
    expect(window[windowFrames + 5]).toBe(6); // bin 1, frame 5
  });

  it('starts a later window at its own frame', () => {
    const window = melWindow(clip(7501), 6000);
    expect(window[0]).toBe(6001);
    expect(window[1499]).toBe(7500);
    expect(window[1500]).toBe(0);
  });
});
