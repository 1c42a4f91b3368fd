import { DeepsegError } from '@deepseg/yuyv';

/** How one command-line option is spelled and typed. */
export interface OptionSpec {
  /** Long name without dashes, also the key in config files and in the parsed result. */
  name: string;
  /** One-letter short form, without the dash. */
  short?: string;
  /** Other long spellings (e.g. the names backscrub or Linux-Fake-Background-Webcam use). */
  aliases?: readonly string[];
  /** `boolean` options take no value (`--no-<name>` turns them off); `string` ones take one. */
  type: 'boolean' | 'string';
  /** Placeholder shown in help, e.g. `<path>`. */
  value?: string;
  /** One line for `--help`. */
  description: string;
  /** Shown in help as the default. */
  default?: string;
  /** Hidden options are accepted but not listed in `--help`. */
  hidden?: boolean;
}

/** The result of {@link parseArgs}: option values by long name, and the positional arguments. */
export interface ParsedArgs {
  values: Record<string, string | boolean>;
  positionals: string[];
}

/**
 * Parses `argv` against `specs`: `--name value`, `--name=value`, `-x value`, `-xvalue`, `--flag`,
 * `--no-flag`, `--` ends options. Unknown options fail with the closest known spelling.
 *
 * @throws DeepsegError `ERR_USAGE` for an unknown option or a missing value.
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  command: string,
): ParsedArgs {
  const byLong = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  for (const spec of specs) {
    byLong.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) byLong.set(alias, spec);
    if (spec.short !== undefined) byShort.set(spec.short, spec);
  }
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq === -1 ? undefined : arg.slice(eq + 1);
      const spec = byLong.get(name);
      if (spec === undefined && name.startsWith('no-')) {
        const negated = byLong.get(name.slice(3));
        if (negated?.type === 'boolean' && inline === undefined) {
          values[negated.name] = false;
          continue;
        }
      }
      if (spec === undefined) throw unknownOption(`--${name}`, specs, command);
      if (spec.type === 'boolean') {
        if (inline === undefined) values[spec.name] = true;
        else values[spec.name] = parseBoolean(inline, `--${name}`);
        continue;
      }
      if (inline !== undefined) {
        values[spec.name] = inline;
        continue;
      }
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next.length > 1 && !/^-\d/.test(next))) {
        throw missingValue(`--${name}`, spec, command);
      }
      values[spec.name] = next;
      i++;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      const spec = byShort.get(arg[1]!);
      if (spec === undefined) throw unknownOption(arg.slice(0, 2), specs, command);
      if (spec.type === 'boolean') {
        if (arg.length > 2) {
          // a cluster of boolean flags, e.g. -ms
          for (const ch of arg.slice(1)) {
            const flag = byShort.get(ch);
            if (flag?.type !== 'boolean') throw unknownOption(`-${ch}`, specs, command);
            values[flag.name] = true;
          }
        } else values[spec.name] = true;
        continue;
      }
      if (arg.length > 2) {
        values[spec.name] = arg.slice(2);
        continue;
      }
      const next = argv[i + 1];
      if (next === undefined) throw missingValue(arg, spec, command);
      values[spec.name] = next;
      i++;
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals };
}

function parseBoolean(text: string, option: string): boolean {
  if (/^(true|yes|on|1)$/i.test(text)) return true;
  if (/^(false|no|off|0)$/i.test(text)) return false;
  throw new DeepsegError('ERR_USAGE', `Expected one of true, false for ${option} but received "${text}"`, {
    option,
  });
}

function missingValue(option: string, spec: OptionSpec, command: string): DeepsegError {
  return new DeepsegError(
    'ERR_USAGE',
    `${option} needs a value ${spec.value ?? '<value>'}; see \`${command} --help\``,
    { option },
  );
}

function unknownOption(option: string, specs: readonly OptionSpec[], command: string): DeepsegError {
  const names = specs.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
  const guess = closest(option.replace(/^-+/, ''), names);
  const hint = guess === undefined ? '' : ` (did you mean --${guess}?)`;
  return new DeepsegError(
    'ERR_USAGE',
    `Unknown option ${option} for \`${command}\`${hint}; see \`${command} --help\``,
    { option },
  );
}

/** The candidate within edit distance 2 (or a prefix match) of `word`, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    if (candidate.startsWith(word) && word.length >= 3) return candidate;
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
