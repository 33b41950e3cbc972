// The deploy action: wiring only. All logic is in shared/deploy.
import { runOnGitHub } from '../../shared/runtime/github-runner';
import { deploySpec } from '../../shared/deploy/action';

await runOnGitHub(deploySpec);
