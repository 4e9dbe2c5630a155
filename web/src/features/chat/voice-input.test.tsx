import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { forgetSpeechStatus } from '../../lib/speech.js';
import { ReadAloudButton } from './read-aloud.js';
import { VoiceInput } from './voice-input.js';

const base = 'http://threadline.test';
const available = { available: true, via: 'in-process Whisper' };
const missing = {
  available: false,
  via: 'no Whisper model in /models. Speech-to-text needs Whisper: run `bash scripts/setup-speech.sh`',
};
let status = { transcription: available, speech: available };
const server = setupServer(http.get(`${base}/speech`, () => HttpResponse.json(status)));

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  forgetSpeechStatus();
  status = { transcription: available, speech: available };
});
afterAll(() => server.close());

/** What Chromium's getUserMedia rejects with when the user (or policy) denies the microphone. */
const denyMicrophone = () =>
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: {
      getUserMedia: vi.fn(() => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))),
    },
  });

describe('VoiceInput', () => {
  it('says so, and stays off, when the server has no speech-to-text model', async () => {
    status = { transcription: missing, speech: available };
    render(<VoiceInput isDisabled={false} onTranscript={() => undefined} />);
    expect(await screen.findByText(/Voice questions are off: no Whisper model/)).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Ask by voice' }).disabled).toBe(true);
  });

  it('explains a denied microphone and how to allow it', async () => {
    denyMicrophone();
    const onTranscript = vi.fn();
    render(<VoiceInput isDisabled={false} onTranscript={onTranscript} />);
    await userEvent.click(screen.getByRole('button', { name: 'Ask by voice' }));
    expect(await screen.findByText(/did not allow the microphone/)).toBeTruthy();
    expect(onTranscript).not.toHaveBeenCalled();
  });
});

describe('ReadAloudButton', () => {
  it('says why when the server cannot speak', async () => {
    status = {
      transcription: available,
      speech: { available: false, via: 'Text-to-speech needs eSpeak NG' },
    };
    render(<ReadAloudButton text={() => 'An answer.'} />);
    await userEvent.click(screen.getByRole('button', { name: 'Read answer aloud' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/cannot read answers aloud/));
  });
});
