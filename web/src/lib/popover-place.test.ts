import { describe, expect, it } from 'vitest';
import { placePopover } from './popover-place.js';

const window = { width: 1366, height: 900 };
const size = { width: 340, height: 300 };
const chip = (left: number, top: number) => ({ left, top, right: left + 20, bottom: top + 20 });

describe('placePopover', () => {
  it('opens under the chip, centred, when it fits above the composer', () => {
    expect(placePopover(chip(500, 100), size, window, 780)).toEqual({ left: 340, top: 126, maxHeight: 646 });
  });

  it('opens over a chip near the composer, as tall as the room there', () => {
    const placed = placePopover(chip(500, 700), size, window, 780);
    expect(placed.top + size.height).toBe(700 - 6);
    expect(placed.top).toBeGreaterThanOrEqual(8);
  });

  it('stays inside the window next to its left or right edge', () => {
    expect(placePopover(chip(2, 100), size, window, 780).left).toBe(8);
    expect(placePopover(chip(1350, 100), size, window, 780).left).toBe(1366 - 8 - 340);
  });

  it('shrinks to the room below when neither side holds it whole', () => {
    const placed = placePopover(chip(500, 300), { width: 340, height: 2000 }, window, 780);
    expect(placed).toMatchObject({ top: 326, maxHeight: 446 });
  });
});
