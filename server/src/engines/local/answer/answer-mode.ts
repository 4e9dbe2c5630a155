import type { Config } from '../../../config.js';
import { discoverLocalModelServer, type FoundModelServer } from './local-model-discovery.js';

export type AnswerMode = {
  /** The configuration to start with: LLM_BASE_URL=auto replaced by the server found (or unset). */
  config: Config;
  /** One line for the start-up output saying who writes the answers. */
  line: string;
  /** A model server on this machine that Threadline is not using (LLM_BASE_URL unset). */
  unused: FoundModelServer | null;
};

const models = (server: FoundModelServer) =>
  server.models.length === 0 ? 'no model loaded' : server.models.slice(0, 3).join(', ');

/**
 * Who writes the answers, decided once at start-up. With LLM_BASE_URL unset, a model server
 * running here on its default port is looked for and named with the settings that would use it;
 * with LLM_BASE_URL=auto it is used (its first model, unless LLM_MODEL names one). `environment`
 * tells an LLM_MODEL set by the operator from the schema's default.
 */
export async function resolveAnswerMode(
  config: Config,
  environment: NodeJS.ProcessEnv = process.env,
  discover: () => Promise<FoundModelServer | null> = () => discoverLocalModelServer(),
): Promise<AnswerMode> {
  if (config.ENGINE !== 'local') {
    return { config, line: `Answers: written by the ${config.ENGINE} engine.`, unused: null };
  }
  const window = config.LLM_CONTEXT_TOKENS
    ? `a ${config.LLM_CONTEXT_TOKENS}-token window (LLM_CONTEXT_TOKENS)`
    : 'its window asked of the server';
  if (config.LLM_BASE_URL && config.LLM_BASE_URL !== 'auto') {
    return {
      config,
      line: `Answers: written by ${config.LLM_MODEL} at ${config.LLM_BASE_URL} (LLM_BASE_URL), ${window}.`,
      unused: null,
    };
  }
  const found = await discover();
  if (config.LLM_BASE_URL === 'auto') {
    if (!found || found.models.length === 0) {
      return {
        config: { ...config, LLM_BASE_URL: undefined },
        line: `Answers: quoted from your documents. LLM_BASE_URL=auto found no model server with a model on 127.0.0.1 (Ollama 11434, llama.cpp 8080, LM Studio 1234).`,
        unused: null,
      };
    }
    const model = environment.LLM_MODEL?.trim() || (found.models[0] ?? config.LLM_MODEL);
    return {
      config: { ...config, LLM_BASE_URL: found.baseURL, LLM_MODEL: model },
      line: `Answers: written by ${model} on the ${found.name} server found at ${found.baseURL} (LLM_BASE_URL=auto), ${window}.`,
      unused: null,
    };
  }
  if (!found) {
    return {
      config,
      line: 'Answers: quoted from your documents (no model). Set LLM_BASE_URL to have a model write them.',
      unused: null,
    };
  }
  const model = found.models[0] ?? '<model>';
  return {
    config,
    line:
      `Answers: quoted from your documents (no model). A ${found.name} server is running at ${found.baseURL} (${models(found)}): ` +
      `start with LLM_BASE_URL=auto, or LLM_BASE_URL=${found.baseURL} LLM_MODEL=${model}, to have it write them.`,
    unused: found,
  };
}
