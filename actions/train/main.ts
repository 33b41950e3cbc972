// The train action: wiring only. All logic is in shared/train.
import { runOnGitHub } from '../../shared/runtime/github-runner';
import { trainSpec } from '../../shared/train/action';

await runOnGitHub(trainSpec);
