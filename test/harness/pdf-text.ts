/**
 * The text drawn on the pages of a PDF written by pdfkit with uncompressed streams: each TJ
 * array's hex strings decoded and joined, one line per TJ. With an embedded font the strings are
 * glyph codes (4 hex digits each), mapped back to text through the font's ToUnicode CMap;
 * without one (a standard font) they are WinAnsi bytes.
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const toUnicode = new Map<number, string>();
  for (const block of raw.matchAll(/beginbfrange\s([\s\S]*?)endbfrange/g)) {
    for (const range of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<[0-9a-fA-F]+>\s*\[([^\]]*)\]/g)) {
      const start = parseInt(range[1]!, 16);
      [...range[2]!.matchAll(/<([0-9a-fA-F ]*)>/g)].forEach((entry, i) => {
        toUnicode.set(start + i, Buffer.from(entry[1]!.replace(/ /g, ''), 'hex').swap16().toString('utf16le'));
      });
    }
  }
  const decode = (hex: string): string =>
    toUnicode.size > 0
      ? (hex.match(/[0-9a-fA-F]{4}/g) ?? []).map((code) => toUnicode.get(parseInt(code, 16)) ?? '\uFFFD').join('')
      : Buffer.from(hex, 'hex').toString('latin1');
  const lines: string[] = [];
  for (const tj of raw.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
    lines.push([...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => decode(h[1]!)).join(''));
  }
  return lines.join('\n');
}
