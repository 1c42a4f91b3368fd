import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DeepsegError } from '@deepseg/yuyv';
import { closest, type OptionSpec } from './parse-args.ts';
import type { OptionSources, RawOptions } from './run-options.ts';

/** Keys a config file may not set: they only make sense on the command line. */
const commandLineOnly = new Set(['config', 'help', 'version']);

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');
}

/**
 * Reads a JSON config file: one object whose keys are option names (`"background": "blur=20"`,
 * kebab-case or camelCase, aliases too) and whose values are strings, numbers or booleans.
 * Returns the raw values and, for each, where it came from (for error messages).
 *
 * @throws DeepsegError `ERR_FILE_NOT_FOUND` when the file is missing, `ERR_CONFIG` when it is not JSON,
 *   not an object, or has an unknown key or a value of the wrong kind.
 */
export function loadConfig(
  path: string,
  specs: readonly OptionSpec[],
): { values: RawOptions; sources: OptionSources } {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DeepsegError(
        'ERR_FILE_NOT_FOUND',
        `Config file ${full} does not exist; check the --config path`,
        {
          path: full,
          option: '--config',
          cause,
        },
      );
    }
    throw new DeepsegError('ERR_CONFIG', `Cannot read config file ${full} (${code ?? String(cause)})`, {
      path: full,
      cause,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new DeepsegError(
      'ERR_CONFIG',
      `Config file ${full} is not valid JSON (${(cause as Error).message}); it must be one object like {"background": "blur"}`,
      { path: full, cause },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DeepsegError(
      'ERR_CONFIG',
      `Config file ${full} must hold one JSON object like {"background": "blur"}`,
      {
        path: full,
      },
    );
  }
  const byName = new Map<string, OptionSpec>();
  for (const spec of specs) {
    byName.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) byName.set(alias, spec);
  }
  const values: RawOptions = {};
  const sources: OptionSources = {};
  for (const [key, value] of Object.entries(data)) {
    const name = kebab(key);
    const spec = byName.get(name);
    if (spec === undefined || commandLineOnly.has(spec.name)) {
      const allowed = specs.map((s) => s.name).filter((n) => !commandLineOnly.has(n));
      const guess = closest(name, allowed);
      throw new DeepsegError(
        'ERR_CONFIG',
        `Unknown key "${key}" in config file ${full}${guess ? ` (did you mean "${guess}"?)` : ''}; keys are the long option names of \`deepseg --help\``,
        { path: full, option: key },
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new DeepsegError(
        'ERR_CONFIG',
        `Expected a string, number or boolean for "${key}" in config file ${full} but received ${JSON.stringify(value)}`,
        { path: full, option: key },
      );
    }
    values[spec.name] = value;
    sources[spec.name] = `"${key}" in ${full}`;
  }
  return { values, sources };
}
