import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { createSpeech, type Speech } from './speech-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Speech in (Whisper or STT_BASE_URL) and out (Piper, eSpeak NG or TTS_BASE_URL). */
    speech: Speech;
  }
}

/** Decorates `app.speech`; the Whisper and Piper workers start on first use and stop on close. */
export const speechPlugin = fp<{ config: Config; speech?: Speech | undefined }>(
  async (app, options) => {
    const speech = options.speech ?? createSpeech(options.config);
    app.decorate('speech', speech);
    app.addHook('onClose', async () => {
      await speech.close();
    });
  },
  { name: 'speech' },
);
