import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let digest: string | undefined;

/**
 * A short hash of the converter's own code (the modules beside this one, tests and tools excluded):
 * caches of converted models key on it together with {@link VERSION}, so a converter that changed
 * without a version bump (a development checkout) never serves a stale conversion.
 *
 * @example
 * const key = `${VERSION}-${converterDigest()}`; // '0.1.0-3f9a1c0b7d2e'
 */
export function converterDigest(): string {
  if (digest !== undefined) return digest;
  const dir = dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  const files = readdirSync(dir)
    .filter((f) => /\.(js|ts)$/.test(f) && !/\.(test|d)\.|^(bench|bin|cli)\./.test(f))
    .sort();
  for (const f of files) hash.update(f).update(readFileSync(`${dir}/${f}`));
  digest = hash.digest('hex').slice(0, 12);
  return digest;
}
