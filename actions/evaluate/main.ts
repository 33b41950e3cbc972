// The evaluate action: wiring only. All logic is in shared/evaluate.
import { runOnGitHub } from '../../shared/runtime/github-runner';
import { evaluateSpec } from '../../shared/evaluate/action';

await runOnGitHub(evaluateSpec);
