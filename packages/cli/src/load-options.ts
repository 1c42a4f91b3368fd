import { loadConfig } from './config.ts';
import {
  type OptionSources,
  type RawOptions,
  type RunOptions,
  resolveRunOptions,
  runSpecs,
} from './run-options.ts';

/**
 * Merges `--config` file values (if any) under the command-line values and validates the result.
 * Command-line values win. Called again on SIGHUP to reload.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_CONFIG`, `ERR_FILE_NOT_FOUND`.
 */
export function loadRunOptions(cli: Record<string, string | boolean>): RunOptions {
  const raw: RawOptions = {};
  let sources: OptionSources = {};
  const configPath = typeof cli.config === 'string' ? cli.config : undefined;
  if (configPath !== undefined) {
    const loaded = loadConfig(configPath, runSpecs);
    Object.assign(raw, loaded.values);
    sources = loaded.sources;
  }
  for (const [k, v] of Object.entries(cli)) {
    raw[k] = v;
    delete sources[k];
  }
  return resolveRunOptions(raw, sources);
}
