import { describe, expect, it } from 'vitest';
import { workerExecArgv } from './worker-spawn.ts';

describe('workerExecArgv', () => {
  it('drops --input-type (which Node refuses for a worker) in both spellings and keeps the rest', () => {
    expect(workerExecArgv(['--input-type=module', '--conditions=@deepseg/source'])).toEqual([
      '--conditions=@deepseg/source',
    ]);
    expect(workerExecArgv(['--import', 'tsx', '--input-type', 'module', '--max-old-space-size=512'])).toEqual(
      ['--import', 'tsx', '--max-old-space-size=512'],
    );
    expect(workerExecArgv([])).toEqual([]);
  });
});
