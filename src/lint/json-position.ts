/**
 * Where each value of a JSON document stands, by the JSON path that
 * `validateManifest` reports (`questions[0].default`, `edits[1].when.facts.served`),
 * so a manifest problem can be shown at `recipe.json:line:column`.
 */
export interface JsonPosition {
  line: number;
  column: number;
}

export interface JsonPositions {
  /** The position of `path`, or of its nearest ancestor that exists (a missing field is reported at its object). */
  find(path: string): JsonPosition;
}

/** Indexes a JSON text (assumed valid) by path. Member paths point at the key, elements at the value. */
export function indexJsonPositions(text: string): JsonPositions {
  const offsets = new Map<string, number>();
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  let pos = 0;

  const skipWs = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const readString = (): string => {
    const start = pos;
    pos++; // opening quote
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = (path: string): void => {
    skipWs();
    if (!offsets.has(path)) offsets.set(path, pos);
    const ch = text[pos];
    if (ch === "{") {
      pos++;
      skipWs();
      while (pos < text.length && text[pos] !== "}") {
        skipWs();
        const keyAt = pos;
        const key = readString();
        const child = path === "" ? key : `${path}.${key}`;
        offsets.set(child, keyAt);
        skipWs();
        pos++; // colon
        value(child);
        skipWs();
        if (text[pos] === ",") pos++;
        skipWs();
      }
      pos++;
    } else if (ch === "[") {
      pos++;
      skipWs();
      let i = 0;
      while (pos < text.length && text[pos] !== "]") {
        value(`${path}[${i++}]`);
        skipWs();
        if (text[pos] === ",") pos++;
        skipWs();
      }
      pos++;
    } else if (ch === '"') {
      readString();
    } else {
      while (pos < text.length && /[^\s,\]}]/.test(text[pos]!)) pos++;
    }
  };
  try {
    value("");
  } catch {
    // Invalid JSON: whatever was indexed before the error is still useful.
  }
  const toPosition = (offset: number): JsonPosition => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };

  return {
    find(path) {
      let p = path;
      for (;;) {
        const offset = offsets.get(p);
        if (offset !== undefined) return toPosition(offset);
        if (p === "") return { line: 1, column: 1 };
        const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
        p = cut <= 0 ? "" : p.slice(0, cut);
      }
    },
  };
}
