import { describe, expect, it } from 'vitest';
import { EventHub } from './event-hub.js';

const drain = async (source: AsyncIterable<number>) => {
  const items: number[] = [];
  for await (const item of source) items.push(item);
  return items;
};

describe('EventHub', () => {
  it('gives every subscriber everything published after it subscribed, in order, until closed', async () => {
    const hub = new EventHub<number>();
    hub.publish(0);
    const early = hub.subscribe();
    hub.publish(1);
    const late = hub.subscribe();
    hub.publish(2);
    setImmediate(() => {
      hub.publish(3);
      hub.close();
      hub.publish(4);
    });
    expect(await Promise.all([drain(early), drain(late)])).toEqual([
      [1, 2, 3],
      [2, 3],
    ]);
  });

  it('stops delivering to a subscriber that stopped reading', async () => {
    const hub = new EventHub<number>();
    const channel = hub.subscribe();
    hub.publish(1);
    for await (const item of channel) {
      expect(item).toBe(1);
      break;
    }
    hub.publish(2);
    hub.close();
    expect(await drain(channel)).toEqual([]);
  });
});
