/**
 * `mlops registry …`: read the local registry (a folder, default .mlops/registry) as tables.
 *   mlops registry list <name>                   versions, newest first
 *   mlops registry history <name> [alias]        every alias move: who, when, from, to, why
 *   mlops registry alias <name> <alias> <ref>    point an alias at a version (3, v3 or name@alias)
 */
import { resolve } from 'node:path';
import { LocalRegistry } from '../shared/registry/local';
import { DEFAULT_LOCAL_REGISTRY } from '../shared/registry/open';
import { table } from '../shared/report/markdown';
import { UserError } from '../shared/errors';

export async function registryCommand(positional: string[], flags: Record<string, string>): Promise<number> {
  const [sub, name, ...rest] = positional;
  const reg = new LocalRegistry(resolve(flags.registry ?? DEFAULT_LOCAL_REGISTRY));
  const out = (t: string) => process.stdout.write(`${t}\n`);
  if (!sub || !name) {
    process.stderr.write('Usage: mlops registry list|history|alias <name> … [--registry <folder>]\n');
    return 2;
  }
  if (sub === 'list') {
    const versions = await reg.list(name);
    const aliases = (await reg.aliases(name)).aliases;
    const byVersion = new Map<number, string[]>();
    for (const [a, v] of Object.entries(aliases)) byVersion.set(v, [...(byVersion.get(v) ?? []), a]);
    out(
      table(
        ['version', 'aliases', 'digest', 'created', 'PR', 'gates'],
        versions.map((v) => [`v${v.version}`, (byVersion.get(v.version) ?? []).join(', '), v.digest.slice(0, 19), v.createdAt, v.pullRequest ? `#${v.pullRequest}` : '', v.passed === undefined ? '' : v.passed ? 'passed' : 'failed']),
      ),
    );
    return 0;
  }
  if (sub === 'history') {
    const alias = rest[0];
    const book = await reg.aliases(name);
    const moves = book.history.filter((h) => !alias || h.alias === alias);
    if (!moves.length) {
      out(`No alias moves for ${name}${alias ? `@${alias}` : ''}.`);
      return 0;
    }
    out(table(['when', 'alias', 'from', 'to', 'by', 'why'], moves.map((m) => [m.at, m.alias, m.from === null ? '—' : `v${m.from}`, `v${m.to}`, m.by, m.reason ?? ''])));
    return 0;
  }
  if (sub === 'alias') {
    const [alias, ref] = rest;
    if (!alias || !ref) throw new UserError('Usage: mlops registry alias <name> <alias> <version or reference>');
    const n = /^v?(\d+)$/.exec(ref)?.[1];
    const version = n ? Number(n) : (await reg.resolve(ref.includes('@') ? ref : `${name}@${ref}`)).version;
    const move = await reg.setAlias(name, alias, version, { by: process.env.USER ?? 'mlops', reason: flags.reason ?? 'mlops registry alias' });
    out(`${name}@${alias}: ${move.from === null ? 'new' : `v${move.from}`} → v${move.to}`);
    return 0;
  }
  process.stderr.write(`unknown registry command '${sub}'\n`);
  return 2;
}
