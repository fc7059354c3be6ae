/** A configuration value is wrong: names the file, the field path and what was expected. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${field ? `\`${field}\`: ` : ''}${expected}`);
    this.name = 'ConfigError';
  }
}
