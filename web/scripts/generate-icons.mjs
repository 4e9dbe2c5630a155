// Draws the app icons as PNGs (no image tools needed): `node web/scripts/generate-icons.mjs`.
// The shape matches public/icons/icon.svg: a blue rounded square, a white speech bubble, three dots.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buffer) => {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const rows = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y += 1) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const inRoundedRect = (x, y, left, top, right, bottom, radius) => {
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 && x >= left && x <= right && y >= top && y <= bottom;
};
const inTriangle = (x, y, [ax, ay], [bx, by], [cx, cy]) => {
  const sign = (px, py, qx, qy, rx, ry) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry);
  const d1 = sign(x, y, ax, ay, bx, by);
  const d2 = sign(x, y, bx, by, cx, cy);
  const d3 = sign(x, y, cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

/** Colour of a point in a 100×100 design space; `isMaskable` fills the square edge to edge. */
function shade(x, y, isMaskable) {
  const scale = isMaskable ? 0.72 : 1; // maskable icons keep content in the central safe zone
  const u = (x - 50) / scale + 50;
  const v = (y - 50) / scale + 50;
  const background = isMaskable || inRoundedRect(x, y, 2, 2, 98, 98, 22);
  if (!background) return [0, 0, 0, 0];
  const blue = [47, 95, 208, 255];
  const white = [255, 255, 255, 255];
  const dots = [34, 50, 66].some((dx) => (u - dx) ** 2 + (v - 45) ** 2 <= 5.5 ** 2);
  if (dots) return blue;
  const bubble = inRoundedRect(u, v, 18, 24, 82, 66, 14) || inTriangle(u, v, [30, 62], [46, 62], [26, 80]);
  return bubble ? white : blue;
}

function render(size, isMaskable) {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const colour = shade(
            ((px + (sx + 0.5) / samples) / size) * 100,
            ((py + (sy + 0.5) / samples) / size) * 100,
            isMaskable,
          );
          for (let i = 0; i < 4; i += 1) sum[i] += colour[i] * (i === 3 ? 1 : colour[3] / 255);
        }
      }
      const count = samples * samples;
      const alpha = sum[3] / count;
      const offset = (py * size + px) * 4;
      for (let i = 0; i < 3; i += 1)
        pixels[offset + i] = alpha === 0 ? 0 : Math.round(sum[i] / count / (alpha / 255));
      pixels[offset + 3] = Math.round(alpha);
    }
  }
  return encodePng(size, pixels);
}

const out = new URL('../public/icons/', import.meta.url);
for (const [name, size, isMaskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['maskable-512.png', 512, true],
  ['apple-touch-icon.png', 180, true],
]) {
  writeFileSync(new URL(name, out), render(size, isMaskable));
  process.stdout.write(`wrote public/icons/${name}\n`);
}
