import { parseAssistantStreamEvent, type AssistantStreamEvent } from '../assistants/events.js';
import { FramingError } from './framing-error.js';

/** Turns a frame's event name and raw data text into a validated event, or throws FramingError. */
export function decodeEvent(name: string, dataText: string, frame: string): AssistantStreamEvent {
  let data: unknown;
  if (name === 'done') {
    data = dataText.trim();
  } else {
    try {
      data = JSON.parse(dataText);
    } catch {
      throw new FramingError(`event "${name}" carries data that is not JSON`, frame);
    }
  }
  const parsed = parseAssistantStreamEvent({ event: name, data });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
    throw new FramingError(
      `event "${name}" does not match the Assistants schema${where}: ${first?.message ?? 'invalid'}`,
      frame,
    );
  }
  return parsed.data;
}
