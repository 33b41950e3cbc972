/**
 * `mlops serve`: serve a model over HTTP (Open Inference Protocol v2 + tabular JSON), with
 * micro-batching, hot reload, Prometheus metrics and a prediction log. See shared/serve.
 *
 *   mlops serve churn@production [--registry .mlops/registry]   a registry reference (an alias is followed)
 *   mlops serve --model model.onnx [--name churn]                a model file
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../shared/errors';
import { LocalRegistry } from '../shared/registry/local';
import { DEFAULT_LOCAL_REGISTRY } from '../shared/registry/open';
import { NAME_PATTERN, parseRef } from '../shared/registry/types';
import { colors } from '../shared/runtime/local';
import { FileSource, RegistrySource, serve, type ModelSource } from '../shared/serve';

export const SERVE_USAGE = `mlops serve: serve a model over HTTP

Usage:
  mlops serve <name@alias>  [--registry ${DEFAULT_LOCAL_REGISTRY}]   a version in the local registry (churn@production,
                                                          churn@v3, churn@latest); an alias is followed
  mlops serve --model <file.onnx> [--name <name>]          a model file (reloaded when it changes)

Options:
  --host <addr>          address to listen on (default 127.0.0.1)
  --port <n>             port (default 8080; 0 picks a free one)
  --poll <seconds>       re-check the alias (or the file) every so many seconds; 0 = never (default 10)
  --log <file.jsonl>     append a prediction log: one JSON line per row (time, inputs, prediction, version)
  --log-sample <0..1>    fraction of rows logged (default 1.0)
  --max-batch <rows>     most rows in one onnxruntime call (default 256)
  --batch-wait-ms <ms>   longest a request waits for others to share its batch (default 2)
  --max-body <size>      request body limit, e.g. 8MiB, 512KiB (default 8MiB)
  --threads <n>          onnxruntime intra-op threads (default 1)

Endpoints:
  GET  /v2/health/live, /v2/health/ready, /v2/models/<name>, /v2/models/<name>/ready, /metrics
  POST /v2/models/<name>/infer      Open Inference Protocol v2: {"inputs": [{"name", "shape", "datatype", "data"}]}
  POST /v2/models/<name>/predict    rows: {"columns": [...], "data": [[...]]}, {"records": [{...}]}, or one record
  POST /invocations                 the same (MLflow's path)
  POST /v2/repository/models/<name>/load   reload now (deploy's target-url)
`;

function number(flags: Record<string, string>, key: string, fallback: number, min: number, max = Infinity): number {
  const raw = flags[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UserError(`--${key} must be a number${max < Infinity ? ` in [${min}, ${max}]` : ` ≥ ${min}`}, got '${raw}'`, { input: key });
  }
  return n;
}

/** 8MiB, 512KiB, 1MB, 1000000 → bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * mult);
}

const KNOWN = new Set(['registry', 'model', 'name', 'host', 'port', 'poll', 'log', 'log-sample', 'max-batch', 'batch-wait-ms', 'max-body', 'threads', 'help']);

export async function serveCommand(positional: string[], flags: Record<string, string>): Promise<number> {
  if (flags.help !== undefined) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  const unknown = Object.keys(flags).filter((f) => !KNOWN.has(f));
  if (unknown.length) {
    process.stderr.write(`${colors.red('error')}: mlops serve has no option ${unknown.map((u) => `--${u}`).join(', ')}\n\n${SERVE_USAGE}`);
    return 2;
  }
  const ref = positional[0];
  if (positional.length > 1) throw new UserError(`mlops serve takes one model reference, got ${positional.length}: ${positional.join(' ')}`);
  let source: ModelSource;
  if (flags.model !== undefined && ref !== undefined) throw new UserError('give either a registry reference or --model <file>, not both');
  if (flags.model !== undefined && flags.model !== 'true') {
    const file = resolve(flags.model);
    if (!existsSync(file)) {
      // --model churn@production is a reference too.
      if (flags.model.includes('@')) source = registrySource(flags.model, flags);
      else throw new UserError(`model file '${flags.model}' does not exist`, { input: 'model' }, 'give the path of an .onnx file, or a registry reference like churn@production');
    } else {
      const name = flags.name ?? undefined;
      if (name !== undefined && !NAME_PATTERN.test(name)) throw new UserError(`--name '${name}' must be letters, digits, '.', '_' or '-'`, { input: 'name' });
      source = new FileSource(file, name ?? safeName(file));
    }
  } else if (ref !== undefined) {
    source = registrySource(ref, flags);
  } else {
    process.stderr.write(`${colors.red('error')}: which model? give a registry reference (churn@production) or --model <file.onnx>\n\n${SERVE_USAGE}`);
    return 2;
  }

  if (flags['log-sample'] !== undefined && flags.log === undefined) throw new UserError('--log-sample needs --log <file.jsonl>', { input: 'log-sample' });
  const maxBody = flags['max-body'] === undefined ? undefined : parseSize(flags['max-body']);
  if (flags['max-body'] !== undefined && (maxBody === undefined || maxBody < 1)) throw new UserError(`--max-body must be a size like 8MiB, got '${flags['max-body']}'`, { input: 'max-body' });
  const port = number(flags, 'port', 8080, 0, 65535);
  const options = {
    source,
    hostname: flags.host ?? '127.0.0.1',
    port: Math.floor(port),
    pollSeconds: number(flags, 'poll', 10, 0),
    maxBatchRows: Math.floor(number(flags, 'max-batch', 256, 1, 1 << 20)),
    maxWaitMs: number(flags, 'batch-wait-ms', 2, 0, 10_000),
    threads: Math.floor(number(flags, 'threads', 1, 1, 256)),
    ...(maxBody !== undefined ? { maxBodyBytes: maxBody } : {}),
    ...(flags.log !== undefined ? { logPath: resolve(flags.log), logSample: number(flags, 'log-sample', 1, 0, 1) } : {}),
    onLog: (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
  };

  const server = await serve(options);
  process.stdout.write(`mlops serve: ${source.describe()} → ${server.url} (listening; loading the model)\n`);
  try {
    const first = await server.ready;
    process.stdout.write(`mlops serve: ready: ${source.name} v${first.version} at ${server.url}/v2/models/${source.name}${options.pollSeconds > 0 ? ` (checking for new versions every ${options.pollSeconds} s)` : ''}\n`);
  } catch (e) {
    await server.close(1000);
    throw e;
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`${new Date().toISOString()} ${signal}: finishing requests in flight, then stopping\n`);
      server.close(10_000).then(
        () => resolveExit(0),
        () => resolveExit(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

function registrySource(ref: string, flags: Record<string, string>): ModelSource {
  parseRef(ref);
  const folder = flags.registry ?? DEFAULT_LOCAL_REGISTRY;
  if (folder === 'github') throw new UserError('mlops serve reads a local registry folder; `--registry github` is not supported yet', { input: 'registry' }, 'download the version (mlops registry …) or give --model <file.onnx>');
  return new RegistrySource(new LocalRegistry(resolve(folder)), ref, folder);
}

function safeName(file: string): string {
  const base = file.split(/[\\/]/).pop()!.replace(/\.onnx$/i, '');
  const cleaned = base.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned || 'model';
}
