import { describe, it } from 'vitest';
import { conformanceCases } from './conformance.ts';
import { createFakeTarget } from './testing.ts';

// The same cases `pnpm test:kernel` runs on vivid and v4l2loopback inside qemu.
describe('conformance suite on the fake', () => {
  for (const c of conformanceCases) {
    it(c.name, async () => {
      const target = createFakeTarget();
      await c.run(target);
    });
  }
});
