// The evaluate action: wiring only. All logic is in shared/evaluate.
// Its code is loaded with dynamic imports after Node's compile cache is on (see compile-cache.ts).
import { resolve } from 'node:path';
import { prestartCsvReader } from '../../shared/data/csv-thread';
import { enableCompileCache } from '../../shared/runtime/compile-cache';

enableCompileCache();
// A large CSV file's reader thread boots while the action's code loads (see prestartCsvReader).
prestartCsvReader(resolve(process.env.GITHUB_WORKSPACE || process.cwd(), process.env.INPUT_DATA ?? ''));
const { runOnGitHub } = await import('../../shared/runtime/github-runner');
const { evaluateSpec } = await import('../../shared/evaluate/action');

await runOnGitHub(evaluateSpec);
