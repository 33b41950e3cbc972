// The train action: wiring only. All logic is in shared/train.
// Its code is loaded with dynamic imports after Node's compile cache is on (see compile-cache.ts).
import { enableCompileCache } from '../../shared/runtime/compile-cache';

enableCompileCache();
const { runOnGitHub } = await import('../../shared/runtime/github-runner');
const { trainSpec } = await import('../../shared/train/action');

await runOnGitHub(trainSpec);
