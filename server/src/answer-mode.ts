import type { Config } from './config.js';

type AnswerModeConfig = Pick<
  Config,
  'ENGINE' | 'LLM_BASE_URL' | 'LLM_MODEL' | 'OPENAI_MODEL' | 'ASSISTANTS_BASE_URL'
>;

/**
 * The line `npm start` prints about how questions are answered, and how to change it: a person
 * who sees quoted passages should know they are quoted by design and where written answers come
 * from.
 */
export function answerModeText(config: AnswerModeConfig): string {
  switch (config.ENGINE) {
    case 'openai':
      return `Answers: written by OpenAI (${config.OPENAI_MODEL}, ENGINE=openai).`;
    case 'assistants':
      return `Answers: from the Assistants server at ${config.ASSISTANTS_BASE_URL ? new URL(config.ASSISTANTS_BASE_URL).host : 'ASSISTANTS_BASE_URL'} (ENGINE=assistants).`;
    case 'local':
      return config.LLM_BASE_URL
        ? `Answers: written by ${config.LLM_MODEL} at ${new URL(config.LLM_BASE_URL).host} (LLM_BASE_URL), citing your documents.`
        : 'Answers: quoted from your documents (no model configured). For written answers, set LLM_BASE_URL and LLM_MODEL in .env to an OpenAI-compatible chat endpoint (Ollama, llama.cpp, vLLM, LM Studio, OpenAI); see docs/configuration.md.';
  }
}
