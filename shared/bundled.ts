import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The path of dist/<name> (a worker thread's bundle) when it is there: in the build this code lives
 * in dist/<entry>.js or a chunk beside it. Running from TypeScript sources there is no such file, and
 * the callers do without the thread.
 */
export function bundled(name: string): string | undefined {
  const path = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return existsSync(path) ? path : undefined;
}
