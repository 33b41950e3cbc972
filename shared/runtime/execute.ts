/**
 * The part of running an action that does not depend on where it runs: parse the inputs, call the core
 * function, turn a UserError into an annotation and a one-line failure. The runner and the CLI each give
 * it a RunContext and a way to read inputs and write outputs.
 */
import { isUserError, describeProblem } from '../errors';
import type { AnyActionSpec, OutputValue, RunContext } from './context';
import { parseInputs } from './inputs';

export interface Host {
  ctx: RunContext;
  readInput(name: string): string;
  expressionFallback(name: string, expression: string): string;
  setOutput(name: string, value: string): void;
  flushSummary(): Promise<void>;
  fail(message: string): void;
}

export function outputString(v: OutputValue): string {
  return typeof v === 'string' ? v : String(v);
}

/** Runs one action; returns the exit code the process should end with (0 ok, 1 failed). */
export async function execute(spec: AnyActionSpec, host: Host): Promise<number> {
  const { ctx } = host;
  try {
    const inputs = parseInputs(spec.inputs, host.readInput, host.expressionFallback);
    const result = await spec.run(inputs, ctx);
    for (const [name, value] of Object.entries(result.outputs)) host.setOutput(name, outputString(value as OutputValue));
    await host.flushSummary();
    if (result.failure) {
      host.fail(result.failure);
      return 1;
    }
    return 0;
  } catch (err) {
    if (isUserError(err)) {
      const loc = err.location;
      if (loc.file) {
        ctx.log.annotate({
          level: 'error',
          title: `${spec.name}: ${loc.input ? `input '${loc.input}'` : 'invalid input'}`,
          message: err.hint ? `${err.message}\nHow to fix: ${err.hint}` : err.message,
          file: loc.file,
          line: loc.line,
          column: loc.column,
        });
      }
      ctx.summary(`### ❌ ${spec.name} failed\n\n\`\`\`\n${describeProblem(err.message, loc, err.hint)}\n\`\`\`\n`);
      await host.flushSummary().catch(() => undefined);
      host.fail(describeProblem(err.message, loc, err.hint));
      return 1;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    ctx.log.debug(e.stack ?? e.message);
    await host.flushSummary().catch(() => undefined);
    const network = networkProblem(e);
    host.fail(
      network
        ? `${spec.name} could not reach a service it needs: ${network}. Check the network and the API URL (GITHUB_API_URL) and re-run the job.`
        : `${spec.name} failed unexpectedly: ${e.message}. This is a bug in mlops-actions; the stack trace is in the debug log.`,
    );
    return 1;
  }
}

/** A failed HTTP request or connection (not a bug: the network, a host, a proxy), described in one line. */
export function networkProblem(e: Error): string | undefined {
  const codes = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 5; depth++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown; name?: unknown; status?: unknown };
    if (typeof c.code === 'string' && codes.includes(c.code)) return `${c.code}${typeof c.message === 'string' ? ` (${c.message})` : ''}`;
    if (c.name === 'HttpError' && typeof c.status === 'number' && c.status >= 500) return `HTTP ${c.status}: ${String(c.message)}`;
    cur = c.cause;
  }
  return /fetch failed|socket hang up|network/i.test(e.message) ? e.message : undefined;
}
