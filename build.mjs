// One build for every action and the CLI: esbuild bundles each entry point into dist/ as ESM for Node,
// with the code they share split into chunks beside them.
// - The toolkit (@actions/*) is ESM with CommonJS dependencies inside, so each output file gets a
//   `require` made by createRequire(import.meta.url).
// - onnxruntime-node is bundled too, except its native addon: its loader's
//   require(`../bin/napi-v6/<platform>/<arch>/onnxruntime_binding.node`) is rewritten to `./bin/…`, and
//   the addon with libonnxruntime is copied to dist/bin/napi-v6/<platform>/<arch>/. dist/ is then
//   self-contained: a runner needs no node_modules (see "Releasing" in README.md).
//   MLOPS_BUILD_PLATFORMS=linux-x64,linux-arm64 copies more platforms (default: this machine's).
import { build } from 'esbuild';
import { readdirSync, existsSync, rmSync, mkdirSync, copyFileSync, linkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const actions = readdirSync('actions', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('actions', d.name, 'main.ts')))
  .map((d) => d.name);

const entryPoints = Object.fromEntries([
  ...actions.map((name) => [name, `actions/${name}/main.ts`]),
  ['cli', 'cli/mlops.ts'],
  // Worker threads the actions and the CLI start (found next to them in dist/).
  ['validate-worker', 'shared/validate/worker.ts'],
  ['validate-coordinator', 'shared/validate/coordinator.ts'],
  ['csv-worker', 'shared/data/csv-worker.ts'],
]);

/** Points onnxruntime-node's addon require at dist/bin instead of node_modules/onnxruntime-node/bin. */
const onnxruntimeBinding = {
  name: 'onnxruntime-binding',
  setup(b) {
    b.onLoad({ filter: /onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      // An expression esbuild leaves alone (it would try to resolve a template literal at build time).
      const out = src.replace(
        'require(`../bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`)',
        "require(['.', 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node'].join('/'))",
      );
      if (out === src) throw new Error(`onnxruntime-node's binding loader changed: update build.mjs (${args.path})`);
      return { contents: out, loader: 'js' };
    });
  },
};

/**
 * Leaves zod's error messages in other languages out. `z.locales` and `z.core.locales`
 * (zod/v4/classic/external.js, core/index.js) re-export ~60 of them: 368 KB of the 757 KB zod adds to
 * every bundle that checks inputs (the CLI, each action, the validate-data threads), parsed at each
 * start for none used (zod's schemas set English themselves: classic/schemas.js imports
 * locales/en.js). `z.locales.en` stays. Start-up of `mlops evaluate` on 100 rows: ~10 ms less.
 */
let zodLocalesStubbed = 0;
const zodLocales = {
  name: 'zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index|mini[\\/]external)\.js$/.test(args.importer)) return undefined;
      zodLocalesStubbed++;
      return { path: 'zod-locales-en', namespace: 'zod-locales', pluginData: { resolveDir: join(args.resolveDir, '../locales') } };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};

rmSync('dist', { recursive: true, force: true });
const started = Date.now();
await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'linked',
  plugins: [onnxruntimeBinding, zodLocales],
  banner: {
    js: ["import { createRequire as __mlopsCreateRequire } from 'node:module';", 'const require = __mlopsCreateRequire(import.meta.url);'].join('\n'),
  },
  logLevel: 'warning',
});

if (zodLocalesStubbed === 0) throw new Error("zod no longer re-exports its locales as '../locales/index.js' (classic/external.js, core/index.js): update build.mjs");

const platforms = (process.env.MLOPS_BUILD_PLATFORMS ?? `${process.platform}-${process.arch}`).split(',').map((p) => p.trim()).filter(Boolean);
for (const p of platforms) {
  const [platform, arch] = p.split('-');
  const from = join('node_modules/onnxruntime-node/bin/napi-v6', platform, arch);
  if (!existsSync(from)) throw new Error(`no onnxruntime-node binaries for ${p} in ${from}`);
  const to = join('dist/bin/napi-v6', platform, arch);
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) {
    try {
      linkSync(join(from, f), join(to, f)); // no 45 MB copy on every build
    } catch {
      copyFileSync(join(from, f), join(to, f));
    }
  }
}
console.log(`built ${Object.keys(entryPoints).length} bundles into dist/ (onnxruntime for ${platforms.join(', ')}) in ${Date.now() - started} ms`);
