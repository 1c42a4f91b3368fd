import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Folder where pulled models and user manifests live: `DEEPSEG_MODELS_DIR`, else
 * `$XDG_DATA_HOME/deepseg/models`, else `~/.local/share/deepseg/models`.
 */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DEEPSEG_MODELS_DIR) return env.DEEPSEG_MODELS_DIR;
  const data = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(data, 'deepseg', 'models');
}

/**
 * Folder for models converted lazily on first use (built-in models when the package has no
 * prebuilt ONNX): `$XDG_CACHE_HOME/deepseg/models`, else `~/.cache/deepseg/models`.
 */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'deepseg', 'models');
}
