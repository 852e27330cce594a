/**
 * A user's colour, derived from the name alone, so every gateway and every client shows the same
 * user in the same colour without coordinating.
 */
export function presenceColor(user: string): string {
  // FNV-1a: cheap, and spreads similar names (alice, alice2) far apart.
  let hash = 0x811c9dc5;
  for (let index = 0; index < user.length; index++) {
    hash ^= user.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const hue = hash % 360;
  // Fixed saturation and lightness keep white text readable on every hue.
  return hslToHex(hue, 0.65, 0.42);
}

function hslToHex(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = lightness - chroma / 2;
  const [r, g, b] =
    hue < 60 ? [chroma, x, 0] : hue < 120 ? [x, chroma, 0] : hue < 180 ? [0, chroma, x] : hue < 240 ? [0, x, chroma] : hue < 300 ? [x, 0, chroma] : [chroma, 0, x];
  const channel = (value: number): string =>
    Math.round((value + m) * 255)
      .toString(16)
      .padStart(2, '0');
  return `#${channel(r)}${channel(g)}${channel(b)}`;
}
