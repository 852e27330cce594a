/**
 * Monaco decorations take CSS class names, not colours, so each collaborator's colour gets its
 * own small set of classes, added to one style element the first time the colour is seen.
 */
const seen = new Set<string>();
let sheet: HTMLStyleElement | null = null;

const HEX = /^#[0-9a-fA-F]{6}$/;

/** The class suffix for a colour; colours that are not `#rrggbb` fall back to grey. */
export function colourClass(colour: string): string {
  const safe = HEX.test(colour) ? colour.slice(1).toLowerCase() : '808080';
  if (!seen.has(safe)) {
    seen.add(safe);
    sheet ??= document.head.appendChild(document.createElement('style'));
    sheet.append(
      `.tandem-sel-${safe}{background:#${safe}33;}`,
      `.tandem-caret-${safe}::after{content:'';border-left:2px solid #${safe};margin-left:-1px;}`,
      `.tandem-label-${safe}{background:#${safe};color:#fff;font-size:10px;padding:0 3px;border-radius:3px;white-space:nowrap;pointer-events:none;}`,
      `.tandem-lock-${safe}{background:#${safe}22;}`,
      `.tandem-lock-gutter-${safe}{background:#${safe};width:4px !important;margin-left:3px;}`,
    );
  }
  return safe;
}
