/**
 * `mlops`: the same core functions as the actions, on a laptop.
 *   mlops <action> --<input> <value> …     run an action locally (validate-data, …)
 *   mlops schema infer --data <path>       write a data schema inferred from a dataset or a profile
 *   mlops demo                             run the loop on bundled sample data
 */
// Loaded by the entry (mlops.ts). Only what every command needs is imported here; each command's code
// is loaded when it runs (commands.ts).
import { runLocally, colors } from '../shared/runtime/local';
import type { AnyActionSpec } from '../shared/runtime/context';
import { isUserError } from '../shared/errors';
import { loadActionSpec } from './commands';

const VERSION = '0.1.0';

export function parseFlags(args: string[]): { flags: Record<string, string>; positional: string[] } {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) flags[a.slice(2)] = args[++i]!;
      else flags[a.slice(2)] = 'true';
    } else positional.push(a);
  }
  return { flags, positional };
}

function actionHelp(spec: AnyActionSpec): string {
  const lines = [`mlops ${spec.name}: ${spec.description}`, '', 'Inputs (the action\'s `with:` keys, as flags):'];
  for (const [name, s] of Object.entries(spec.inputs) as [string, { description: string; required: boolean; default?: string }][]) {
    const d = s.required ? ' (required)' : s.default !== undefined ? ` (default: ${s.default})` : '';
    lines.push(`  --${name}${d}\n      ${s.description}`);
  }
  lines.push('', 'Outputs:');
  for (const [name, d] of Object.entries(spec.outputs)) lines.push(`  ${name}: ${d}`);
  return `${lines.join('\n')}\n`;
}

async function usage(): Promise<string> {
  const { ACTION_SPECS } = await import('../shared/actions');
  return [
    `mlops ${VERSION}: GitHub Actions for machine learning, run locally`,
    '',
    'Usage:',
    ...ACTION_SPECS.map((s) => `  mlops ${s.name.padEnd(14)} ${s.description}`),
    '  mlops schema infer    Infer a data schema (YAML) from a dataset or a profile',
    '  mlops serve           Serve a model over HTTP (Open Inference Protocol v2 and rows as JSON)',
    '  mlops registry        list | history | alias: the local model registry',
    '  mlops demo            Run the loop on bundled sample data',
    '',
    'Run `mlops <command> --help` for the inputs of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { flags, positional } = parseFlags(rest);
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(await usage());
    return command ? 0 : 2;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  try {
    if (command === 'schema') {
      if (positional[0] !== 'infer') {
        process.stderr.write('Usage: mlops schema infer --data <path or glob> [--output schema.yml] [--target <label>] [--profile <profile.json>]\n');
        return 2;
      }
      return await (await import('../shared/validate/infer-command')).inferSchemaCommand(flags);
    }
    if (command === 'demo') return await (await import('./demo')).runDemo(flags);
    if (command === 'registry') return await (await import('./registry')).registryCommand(positional, flags);
    if (command === 'serve') return await (await import('./serve')).serveCommand(positional, flags);
    const spec = await loadActionSpec(command);
    if (!spec) {
      process.stderr.write(`${colors.red('error')}: unknown command '${command}'\n\n${await usage()}`);
      return 2;
    }
    if (flags.help !== undefined) {
      process.stdout.write(actionHelp(spec));
      return 0;
    }
    const unknown = Object.keys(flags).filter((f) => !(f in spec.inputs));
    if (unknown.length) {
      process.stderr.write(`${colors.red('error')}: ${spec.name} has no input ${unknown.map((u) => `--${u}`).join(', ')}\n\n${actionHelp(spec)}`);
      return 2;
    }
    const run = await runLocally(spec, flags);
    return run.exitCode;
  } catch (err) {
    if (isUserError(err)) {
      process.stderr.write(`${colors.red('error')}: ${err.describe()}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
