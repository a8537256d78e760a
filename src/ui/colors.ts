/** Colours for stderr/stdout, off when NO_COLOR is set or the stream is not a terminal. */
const enabled = (stream: NodeJS.WriteStream) =>
  !("NO_COLOR" in process.env && process.env.NO_COLOR !== "") && process.env.TERM !== "dumb" && (stream.isTTY === true || process.env.FORCE_COLOR !== undefined);

const wrap = (open: number, close: number) => (text: string, stream: NodeJS.WriteStream = process.stderr) =>
  enabled(stream) ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export const color = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};
