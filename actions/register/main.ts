// The register action: wiring only. All logic is in shared/register.
// Its code is loaded with dynamic imports after Node's compile cache is on (see compile-cache.ts).
import { enableCompileCache } from '../../shared/runtime/compile-cache';

enableCompileCache();
const { runOnGitHub } = await import('../../shared/runtime/github-runner');
const { registerSpec } = await import('../../shared/register/action');

await runOnGitHub(registerSpec);
