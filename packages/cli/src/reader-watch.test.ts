import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countOpeners, watchReaders } from './reader-watch.ts';

describe('watchReaders (inotify + /proc)', () => {
  it('sees another process open and close a node', async () => {
    const node = join(mkdtempSync(join(tmpdir(), 'deepseg-watch-')), 'video9');
    writeFileSync(node, '');
    const w = watchReaders(node);
    try {
      expect(w.readers).toBe(0);
      const ac = new AbortController();
      // two descriptors opened back to back: inotify merges the two IN_OPEN events, /proc counts both
      const child = spawn('sh', ['-c', `exec 3<"${node}"; exec 4<"${node}"; sleep 0.5`]);
      const exited = new Promise((r) => child.once('exit', r));
      await w.waitForReader(ac.signal);
      expect(w.readers).toBeGreaterThanOrEqual(1);
      expect(countOpeners(node).count).toBeGreaterThanOrEqual(2);
      const started = performance.now();
      await w.waitForIdle(50, ac.signal);
      expect(w.readers).toBe(0);
      expect(performance.now() - started).toBeGreaterThan(50);
      await exited;
    } finally {
      w.close();
    }
  });

  it('fails with a clear error for a path it cannot watch', () => {
    expect(() => watchReaders('/nonexistent/video0')).toThrow(
      'Cannot watch /nonexistent/video0 with inotify',
    );
  });
});
