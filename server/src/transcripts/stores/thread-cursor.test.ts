import { describe, expect, it } from 'vitest';
import { AppError } from '../../http/index.js';
import { decodeThreadCursor, encodeThreadCursor } from './thread-cursor.js';

describe('thread cursor', () => {
  it('round-trips', () => {
    const cursor = { updatedAt: '2026-01-02T03:04:05.678Z', id: 'thread_abc' };
    expect(decodeThreadCursor(encodeThreadCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', '!!!'],
    ['JSON of the wrong shape', Buffer.from('{"u":1}').toString('base64url')],
    ['a date that is not ISO', Buffer.from('{"u":"yesterday","i":"t"}').toString('base64url')],
  ])('rejects %s with a 400', (_name, cursor) => {
    expect(() => decodeThreadCursor(cursor)).toThrow(AppError);
    try {
      decodeThreadCursor(cursor);
    } catch (error) {
      expect(error).toMatchObject({ statusCode: 400, code: 'bad_request' });
    }
  });
});
