// The validate-data action: wiring only. All logic is in shared/validate.
import { runOnGitHub } from '../../shared/runtime/github-runner';
import { validateDataSpec } from '../../shared/validate/action';

await runOnGitHub(validateDataSpec);
