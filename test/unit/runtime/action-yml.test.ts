// Every action.yml must say exactly what its TypeScript spec parses: the same inputs, required flags,
// defaults and descriptions, the same outputs, node24 and the bundle the build writes.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_SPECS } from '../../../shared/actions';
import { ACTION_COMMANDS, loadActionSpec } from '../../../cli/commands';
import { readActionYml, ROOT } from '../../e2e/harness';

const actionDirs = readdirSync(join(ROOT, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('action.yml files', () => {
  it('there is one action folder per spec', () => {
    expect(actionDirs.sort()).toEqual(ACTION_SPECS.map((s) => s.name).sort());
  });

  it('the CLI loads each action command on demand, and loads that action\'s spec', async () => {
    expect(Object.keys(ACTION_COMMANDS)).toEqual(ACTION_SPECS.map((s) => s.name));
    for (const spec of ACTION_SPECS) expect(await loadActionSpec(spec.name)).toBe(spec);
    expect(await loadActionSpec('toString')).toBeUndefined();
    expect(await loadActionSpec('schema')).toBeUndefined();
  });

  for (const spec of ACTION_SPECS) {
    describe(spec.name, () => {
      const yml = readActionYml(spec.name);
      it('runs on node24 from the shared dist/ bundle', () => {
        expect(yml.runs).toEqual({ using: 'node24', main: `../../dist/${spec.name}.js` });
      });
      it('declares the inputs the spec parses, with the same required flags, defaults and descriptions', () => {
        const fromYml = Object.entries(yml.inputs ?? {}).map(([name, i]) => ({
          name,
          required: i.required ?? false,
          default: i.default,
          description: i.description,
        }));
        const fromSpec = Object.entries(spec.inputs).map(([name, i]) => {
          const s = i as { required: boolean; default?: string; description: string };
          return { name, required: s.required, default: s.default, description: s.description };
        });
        expect(fromYml).toEqual(fromSpec);
      });
      it('declares the outputs the spec writes', () => {
        expect(Object.entries(yml.outputs ?? {}).map(([n, o]) => [n, o.description])).toEqual(Object.entries(spec.outputs));
      });
      it('its description matches', () => {
        expect(yml.description).toBe(spec.description);
      });
    });
  }
});

describe('action-catalog.md', () => {
  it('is generated from the action.yml files and up to date (run `node scripts/catalog.mjs`)', async () => {
    // @ts-expect-error -- a plain ESM script without types
    const { renderCatalog } = (await import('../../../scripts/catalog.mjs')) as { renderCatalog: () => string };
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(ROOT, 'action-catalog.md'), 'utf8')).toBe(renderCatalog());
  });
});
