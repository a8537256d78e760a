import type { FormatName } from "./manifest.js";

/**
 * Named validators shared by every recipe (RECIPES.md §6.0). Each returns
 * `undefined` when the value is fine, or a sentence saying what is expected.
 */
const formats: Record<FormatName, (value: string) => string | undefined> = {
  userId: (v) =>
    /^[1-9]\d{0,15}$/.test(v) && Number(v) <= Number.MAX_SAFE_INTEGER ? undefined : "a Telegram user id is a positive integer",
  chatId: (v) =>
    /^-?[1-9]\d{0,15}$/.test(v) && Math.abs(Number(v)) <= Number.MAX_SAFE_INTEGER
      ? undefined
      : "a chat id is a non-zero integer (groups and channels are negative, -100…)",
  command: (v) =>
    /^[a-z0-9_]{1,32}$/.test(v)
      ? undefined
      : v.startsWith("/")
        ? "give the command without the leading /"
        : "a command is 1-32 characters of a-z, 0-9 and _",
  channel: (v) =>
    /^@[A-Za-z][A-Za-z0-9_]{4,31}$/.test(v) || /^-100\d{1,13}$/.test(v)
      ? undefined
      : "a channel is @username (5-32 characters) or an id starting with -100",
  httpsUrl: (v) => {
    try {
      return new URL(v).protocol === "https:" ? undefined : "the URL must start with https://";
    } catch {
      return "not a valid URL";
    }
  },
  redisUrl: (v) => (/^rediss?:\/\/\S+$/.test(v) ? undefined : "a Redis URL starts with redis:// or rediss://"),
  relativePath: (v) =>
    /[\u0000-\u001f\u007f]/.test(v)
      ? "a path is one line, without control characters"
      : /[*?[\]]/.test(v) || /^[!#]/.test(v)
        ? "a plain path, without * ? [ ] or a leading ! or #"
        : v.length > 0 && !v.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(v) && !v.split(/[\\/]/).includes("..")
          ? undefined
          : "a path relative to the project, without ..",
  envVar: (v) => (/^[A-Z_][A-Z0-9_]*$/.test(v) ? undefined : "an environment variable name in UPPER_SNAKE_CASE"),
  identifier: (v) => (/^[A-Za-z_$][\w$]*$/.test(v) ? undefined : "a JavaScript identifier"),
  secretToken: (v) => (/^[A-Za-z0-9_-]{1,256}$/.test(v) ? undefined : "1-256 characters of A-Z, a-z, 0-9, _ and -"),
  callbackLabel: (v) =>
    v.trim().length === 0
      ? "a button label cannot be empty"
      : v.length > 64
        ? "a button label is at most 64 characters"
        : undefined,
  // A menu entry in BotFather's `command - description` format, within Telegram's BotCommand limits.
  botCommand: (v) => {
    const at = v.indexOf(" - ");
    if (at < 0) return 'write it as "command - description" (BotFather\'s format)';
    const command = formats.command(v.slice(0, at));
    if (command) return `the command: ${command}`;
    const length = [...v.slice(at + 3).trim()].length;
    if (length === 0) return "the description cannot be empty";
    return length > 256 ? `the description is ${length} characters; Telegram allows at most 256` : undefined;
  },
  languageCode: (v) => (/^[a-z]{2}$/.test(v) ? undefined : "a two-letter ISO 639-1 language code, such as de or pt"),
};

export const formatNames = Object.keys(formats) as FormatName[];

export function checkFormat(format: FormatName, value: string): string | undefined {
  return formats[format](value);
}

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(formats, name);
}
