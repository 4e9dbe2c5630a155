/** A frame that is not valid SSE/NDJSON or does not carry a known Assistants event. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
  constructor(
    message: string,
    readonly frame: string,
  ) {
    super(message);
  }
}
