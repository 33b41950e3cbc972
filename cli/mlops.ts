#!/usr/bin/env node
/**
 * The `mlops` entry point (dist/cli.js): Node's compile cache first, then evaluate's early reader thread
 * (prestart.ts), then the CLI itself (main.ts), each loaded after the one before has run.
 */
import { enableCompileCache } from '../shared/runtime/compile-cache';

enableCompileCache();
await import('./prestart');
await import('./main');
