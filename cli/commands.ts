/**
 * The CLI's action commands, each loaded when it runs: `mlops evaluate` loads the evaluate action's
 * code and what it imports, not all six actions, the demo and the registry commands (the CLI's start-up
 * was mostly module loading: 2.2 MB of JavaScript for any command). A test keeps this list in step with
 * shared/actions.ts's ACTION_SPECS.
 */
import type { AnyActionSpec } from '../shared/runtime/context';

export const ACTION_COMMANDS: Record<string, () => Promise<AnyActionSpec>> = {
  'validate-data': async () => (await import('../shared/validate/action')).validateDataSpec,
  train: async () => (await import('../shared/train/action')).trainSpec,
  evaluate: async () => (await import('../shared/evaluate/action')).evaluateSpec,
  register: async () => (await import('../shared/register/action')).registerSpec,
  deploy: async () => (await import('../shared/deploy/action')).deploySpec,
  monitor: async () => (await import('../shared/monitor/action')).monitorSpec,
};

/** The spec of action command `name`, loaded; undefined when there is no such action. */
export async function loadActionSpec(name: string): Promise<AnyActionSpec | undefined> {
  return Object.hasOwn(ACTION_COMMANDS, name) ? ACTION_COMMANDS[name]!() : undefined;
}
