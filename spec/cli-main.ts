#!/usr/bin/env node
/**
 * The `presence-certify` executable: `runCertifyCli` on the process's
 * arguments and streams.
 *
 * @module
 */
import { runCertifyCli } from './cli.js';

process.exitCode = await runCertifyCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
