/** Every action's spec, by name: the CLI's usage (its commands load one each: cli/commands.ts), the action.yml check and the catalog generator read this list. */
import type { AnyActionSpec } from './runtime/context';
import { validateDataSpec } from './validate/action';
import { trainSpec } from './train/action';
import { evaluateSpec } from './evaluate/action';
import { registerSpec } from './register/action';
import { deploySpec } from './deploy/action';
import { monitorSpec } from './monitor/action';

export const ACTION_SPECS: AnyActionSpec[] = [validateDataSpec, trainSpec, evaluateSpec, registerSpec, deploySpec, monitorSpec];
