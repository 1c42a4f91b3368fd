export { DeepsegError, isDeepsegError } from './errors.ts';
export type { DeepsegErrorContext, DeepsegErrorOptions } from './errors.ts';
