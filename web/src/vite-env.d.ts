/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the Threadline API; empty means the origin that served the app. */
  readonly VITE_API_URL?: string;
  /** Base URL of the legacy Assistants route; defaults to VITE_API_URL (Threadline serves it too). */
  readonly VITE_LEGACY_API_URL?: string;
  /** `threadline` or `legacy`: the backend used until the user picks one. */
  readonly VITE_DEFAULT_BACKEND?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
