/** How a file writes its code; every line the engine writes follows it. */
export interface CodeStyle {
  quote: '"' | "'";
  semicolons: boolean;
  /** One level of indentation: "\t", "  ", "    "… */
  indent: string;
  eol: "\n" | "\r\n";
}

export const defaultStyle: CodeStyle = { quote: '"', semicolons: true, indent: "  ", eol: "\n" };

/**
 * Reads the style of a TypeScript file from its text (magicast's
 * `detectCodeFormat` idea): the majority quote of import specifiers and
 * strings, whether statements end with `;`, the indent unit, the line ending.
 * `fallback` decides what a file gives no evidence of.
 */
export function detectCodeStyle(text: string, fallback: CodeStyle = defaultStyle): CodeStyle {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const eol = crlf === 0 && lf === 0 ? fallback.eol : crlf > lf ? "\r\n" : "\n";

  const importQuotes = [...text.matchAll(/\bfrom\s+(["'])|\b(?:import|require)\s*\(?\s*(["'])/g)].map((m) => m[1] ?? m[2]);
  const single = importQuotes.filter((q) => q === "'").length;
  const double = importQuotes.filter((q) => q === '"').length;
  let quote = fallback.quote;
  if (single !== double) quote = single > double ? "'" : '"';
  else {
    const s = (text.match(/'[^'\n]*'/g) ?? []).length;
    const d = (text.match(/"[^"\n]*"/g) ?? []).length;
    if (s !== d) quote = s > d ? "'" : '"';
  }

  const lines = text.split(/\r?\n/);
  // Lines that end a statement in either style: calls, declarations, imports, returns.
  const statementLike = lines.filter((l) => /^\s*(import|export|const|let|var|return|await|throw|[\w$.]+\(.*\)|[\w$.]+\s*=)/.test(l) && !/[{,([]\s*$/.test(l));
  const withSemi = statementLike.filter((l) => /;\s*(\/\/.*)?$/.test(l)).length;
  const semicolons = statementLike.length === 0 ? fallback.semicolons : withSemi * 2 >= statementLike.length;

  const indent = detectIndent(lines) ?? fallback.indent;
  return { quote, semicolons, indent, eol };
}

function detectIndent(lines: string[]): string | undefined {
  let tabs = 0;
  const widths = new Map<number, number>();
  let previous = 0;
  for (const line of lines) {
    if (line.trim() === "" || /^\s*\*/.test(line)) continue;
    const lead = /^[ \t]*/.exec(line)![0];
    if (lead.startsWith("\t")) {
      tabs++;
      continue;
    }
    const width = lead.length;
    const delta = width - previous;
    if (delta > 0) widths.set(delta, (widths.get(delta) ?? 0) + 1);
    previous = width;
  }
  const spaces = [...widths.values()].reduce((a, b) => a + b, 0);
  if (tabs === 0 && spaces === 0) return undefined;
  if (tabs > spaces) return "\t";
  const [best] = [...widths.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return " ".repeat(best![0]);
}
