// The register action: wiring only. All logic is in shared/register.
import { runOnGitHub } from '../../shared/runtime/github-runner';
import { registerSpec } from '../../shared/register/action';

await runOnGitHub(registerSpec);
