// Writes actions/<name>/action.yml from the TypeScript spec of each action (shared/actions.ts), so the
// metadata the runner reads and the inputs the code parses cannot drift apart. Branding and the name line
// are kept from the existing file. `node scripts/action-yml.mjs` (then `node scripts/catalog.mjs`).
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
// Inside the repo so that the external onnxruntime-node resolves from node_modules.
const out = join(mkdtempSync(join(root, 'node_modules', '.action-yml-')), 'specs.mjs');
await build({
  entryPoints: [join(root, 'shared/actions.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: out,
  external: ['onnxruntime-node'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'error',
});
const { ACTION_SPECS } = await import(pathToFileURL(out).href);
rmSync(dirname(out), { recursive: true, force: true });

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
// The job permissions each action needs (GITHUB_TOKEN scopes), written as a comment at the top of its
// action.yml and listed in the catalog.
const PERMISSIONS = {
  'validate-data': 'contents: read',
  train: 'contents: read (artifact upload needs no extra scope)',
  evaluate: 'contents: read (the registry, for the production baseline); pull-requests: write (the sticky comment); checks: write (the check run)',
  register: 'contents: write (the release and the mlops-registry branch)',
  deploy: 'contents: write (the mlops-registry branch); deployments: write; pull-requests: read (the PR a merge commit belongs to)',
  monitor: 'contents: read (the registry); issues: write (the drift issue); actions: write (to dispatch retraining)',
};
const ICONS = { 'validate-data': ['check-square', 'green'], train: ['cpu', 'blue'], evaluate: ['bar-chart-2', 'purple'], register: ['package', 'orange'], deploy: ['upload-cloud', 'green'], monitor: ['activity', 'red'] };

for (const spec of ACTION_SPECS) {
  const dir = join(root, 'actions', spec.name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'action.yml');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const perms = PERMISSIONS[spec.name];
  if (!perms) throw new Error(`scripts/action-yml.mjs: add the permissions of ${spec.name} to PERMISSIONS`);
  const header = `# permissions: ${perms}`;
  const [icon, color] = ICONS[spec.name] ?? ['box', 'gray-dark'];
  const lines = [
    ...(header ? [header] : []),
    `name: ${q(`mlops-actions: ${spec.name}`)}`,
    `description: ${q(spec.description)}`,
    "author: 'mlops-actions'",
    'branding:',
    `  icon: ${q(icon)}`,
    `  color: ${q(color)}`,
    'inputs:',
  ];
  for (const [name, i] of Object.entries(spec.inputs)) {
    lines.push(`  ${name}:`, `    description: ${q(i.description)}`, `    required: ${i.required ? 'true' : 'false'}`);
    if (i.default !== undefined) lines.push(`    default: ${q(i.default)}`);
  }
  lines.push('outputs:');
  for (const [name, d] of Object.entries(spec.outputs)) lines.push(`  ${name}:`, `    description: ${q(d)}`);
  lines.push('runs:', "  using: 'node24'", `  main: '../../dist/${spec.name}.js'`, '');
  writeFileSync(path, lines.join('\n'));
  const main = join(dir, 'main.ts');
  if (!existsSync(main)) console.log(`note: ${spec.name} has no main.ts yet`);
}
console.log(`wrote ${ACTION_SPECS.length} action.yml files`);
