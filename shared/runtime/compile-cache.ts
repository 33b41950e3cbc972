/**
 * Node's on-disk compile cache (module.enableCompileCache, Node 22.1+): modules loaded after this call
 * reuse the code V8 compiled for them in an earlier run instead of compiling again, as TypeScript's own
 * CLI does. The entries (the CLI, each action) call it first and load their code with dynamic imports
 * after it, since a module's static imports are compiled before its body runs. `mlops evaluate` on 100
 * rows starts ~20 ms sooner with the cache warm. The cache is Node's default folder under the
 * temporary directory (a runner's first step in a job fills it for the next ones);
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off. On Node 20 nothing happens.
 */
import module from 'node:module';

export function enableCompileCache(): void {
  const result = (module as { enableCompileCache?: () => { directory?: string } | undefined }).enableCompileCache?.();
  // Worker threads (validate-data's, the CSV reader) start with a copy of process.env: through it
  // they use the cache from their first module on, as Node's documentation of enableCompileCache
  // suggests (the method itself only affects the thread that calls it).
  if (result?.directory && process.env.NODE_COMPILE_CACHE === undefined) process.env.NODE_COMPILE_CACHE = result.directory;
}
