#!/usr/bin/env node
// Executable entry of the `tflite2onnx` command (package "bin").
import { runCli } from './cli.ts';

process.exitCode = runCli(process.argv.slice(2));
