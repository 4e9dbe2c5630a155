export type Box = { left: number; top: number; right: number; bottom: number };
export type Placement = { left: number; top: number; maxHeight: number };

const gap = 6;

/**
 * Where a popover of `size` opens for an anchor (a citation chip), in window coordinates: under
 * the anchor when it fits above `floor` (the composer's top edge, or the window's bottom), else
 * over it when more room is there, never past the window's sides; as tall as the room it gets.
 */
export function placePopover(
  anchor: Box,
  size: { width: number; height: number },
  window: { width: number; height: number },
  floor: number,
  margin = 8,
): Placement {
  const width = Math.min(size.width, window.width - 2 * margin);
  const centred = (anchor.left + anchor.right) / 2 - width / 2;
  const left = Math.min(Math.max(centred, margin), window.width - margin - width);
  const bottomEdge = Math.min(floor, window.height) - margin;
  const below = bottomEdge - (anchor.bottom + gap);
  const above = anchor.top - gap - margin;
  if (size.height <= below || below >= above) {
    return { left, top: anchor.bottom + gap, maxHeight: Math.max(below, 0) };
  }
  const height = Math.min(size.height, above);
  return { left, top: anchor.top - gap - height, maxHeight: above };
}
