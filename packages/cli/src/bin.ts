#!/usr/bin/env node
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
// Everything is closed by now; should a library still hold the event loop open (a stray handle), do
// not hang the shell: exit once the output has had time to flush.
setTimeout(() => process.exit(), 2000).unref();
