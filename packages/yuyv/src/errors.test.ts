import { describe, expect, it } from 'vitest';
import { DeepsegError, isDeepsegError } from './errors.ts';

describe('DeepsegError', () => {
  it('carries code, context and cause', () => {
    const cause = new Error('EBUSY');
    const e = new DeepsegError('ERR_DEVICE_BUSY', 'busy', { device: '/dev/video0', errno: 16, cause });
    expect(e.code).toBe('ERR_DEVICE_BUSY');
    expect(e.device).toBe('/dev/video0');
    expect(e.errno).toBe(16);
    expect(e.cause).toBe(cause);
    expect(e).toBeInstanceOf(Error);
  });

  it('is recognised by marker, not by class identity', () => {
    const e = new DeepsegError('ERR_X', 'x');
    expect(isDeepsegError(e)).toBe(true);
    expect(isDeepsegError(e, 'ERR_X')).toBe(true);
    expect(isDeepsegError(e, 'ERR_Y')).toBe(false);
    const foreign = Object.assign(new Error('x'), { code: 'ERR_X' });
    expect(isDeepsegError(foreign)).toBe(false);
    Object.defineProperty(foreign, Symbol.for('deepseg.error'), { value: true });
    expect(isDeepsegError(foreign, 'ERR_X')).toBe(true);
    expect(isDeepsegError(null)).toBe(false);
  });
});
