import { describe, expect, it } from 'vitest';
import { EventChannel } from './event-channel.js';

const drain = async (source: AsyncIterable<number>) => {
  const items: number[] = [];
  for await (const item of source) items.push(item);
  return items;
};

describe('EventChannel', () => {
  it('gives its reader everything pushed, in order, until closed', async () => {
    const channel = new EventChannel<number>();
    channel.push(1);
    channel.push(2);
    setImmediate(() => {
      channel.push(3);
      channel.close();
      channel.push(4);
    });
    expect(await drain(channel)).toEqual([1, 2, 3]);
  });

  it('drops what comes after its reader stopped reading, and says so once', async () => {
    let returns = 0;
    const channel = new EventChannel<number>(() => returns++);
    channel.push(1);
    for await (const item of channel) {
      expect(item).toBe(1);
      break;
    }
    channel.push(2);
    channel.close();
    expect(await drain(channel)).toEqual([]);
    expect(returns).toBe(1);
  });
});
