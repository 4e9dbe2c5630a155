import { describe, expect, it } from 'vitest';
import { upstreamIdentity } from './upstream-identity.js';

describe('upstreamIdentity', () => {
  it.each([
    ['a base URL as configured', 'http://engine:8000/v1', 'assistants:http://engine:8000/v1'],
    [
      'a trailing slash does not make another engine',
      'http://engine:8000/v1/',
      'assistants:http://engine:8000/v1',
    ],
    [
      'credentials are left out',
      'https://user:secret@engine.example/v1',
      'assistants:https://engine.example/v1',
    ],
    ['the host is compared as URLs compare it', 'HTTP://Engine:8000/v1', 'assistants:http://engine:8000/v1'],
    ['a query is not part of it', 'http://engine:8000/v1?x=1', 'assistants:http://engine:8000/v1'],
  ])('%s', (_name, baseURL, expected) => {
    expect(upstreamIdentity('assistants', baseURL)).toBe(expected);
  });
});
