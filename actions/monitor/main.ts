// The monitor action: wiring only. All logic is in shared/monitor.
import { runOnGitHub } from '../../shared/runtime/github-runner';
import { monitorSpec } from '../../shared/monitor/action';

await runOnGitHub(monitorSpec);
