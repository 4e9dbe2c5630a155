/**
 * An upstream engine's identity (Engine.identity): its name and base URL without credentials, a
 * query or a trailing slash, so every instance configured for one server names it alike.
 */
export function upstreamIdentity(engineName: string, baseURL: string): string {
  const url = new URL(baseURL);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return `${engineName}:${url.toString().replace(/\/+$/, '')}`;
}
