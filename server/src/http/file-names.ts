const maxNameLength = 255;

/**
 * An uploaded file's name as Threadline stores it: the last path segment, without control
 * characters (C0, DEL, C1: a NUL made downloads fail) or bidirectional overrides, trimmed and
 * at most 255 characters; `upload` when nothing is left.
 */
export function uploadFileName(raw: string | undefined): string {
  const lastSegment = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const cleaned = lastSegment.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const name = [...cleaned].slice(0, maxNameLength).join('');
  return name === '' ? 'upload' : name;
}

const encodeRfc5987 = (value: string) =>
  encodeURIComponent(value).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/**
 * `Content-Disposition: attachment` (or `inline`, to view in the browser) per RFC 6266: an ASCII
 * `filename` fallback (anything else becomes `_`) and the exact name in `filename*` (RFC 5987
 * UTF-8 encoding). Safe for any stored name, including ones saved before names were sanitized.
 */
export function attachmentDisposition(
  fileName: string,
  type: 'attachment' | 'inline' = 'attachment',
): string {
  const name = uploadFileName(fileName);
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}
