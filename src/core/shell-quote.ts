/**
 * One argument as a shell reads it back unchanged. POSIX shells: left bare
 * when it has only safe characters, else in single quotes (inside which
 * nothing is special; a `'` is written `'\''`). Windows (cmd.exe,
 * PowerShell): double quotes, which cannot hold a `"`.
 */
export function shellQuote(arg: string, platform: NodeJS.Platform = process.platform): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  if (platform === "win32") return `"${arg.replace(/"/g, '""')}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `cd <folder>`, quoted; a folder named like a flag (`-x`) is written `./-x`, so cd never reads it as one. */
export function cdCommand(folder: string, platform: NodeJS.Platform = process.platform): string {
  return `cd ${shellQuote(folder.startsWith("-") ? `./${folder}` : folder, platform)}`;
}
