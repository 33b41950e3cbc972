/**
 * onnxruntime-node, loaded on first use. Importing it loads its native library (about 12 MiB of RSS and
 * part of the start-up time), which validate-data, register, deploy, and monitor without its
 * performance check never need; the CLI, whose bundle holds every command, paid it on every run.
 * `loadModel` calls `loadOrt()`; code that builds tensors runs after a model is loaded and uses `ort()`.
 */
import type * as Ort from 'onnxruntime-node';

let loaded: typeof Ort | undefined;

export async function loadOrt(): Promise<typeof Ort> {
  if (!loaded) {
    // A CommonJS package: Node's import gives module.exports as `default` (and named exports beside
    // it); the bundle's split chunk gives only `default`.
    const m: typeof Ort & { default?: typeof Ort } = await import('onnxruntime-node');
    loaded = m.default ?? m;
  }
  return loaded;
}

/** The module, once `loadOrt()` has resolved (every model load does). */
export function ort(): typeof Ort {
  if (!loaded) throw new Error('onnxruntime-node is used before it was loaded: call loadOrt() (loadModel does) first');
  return loaded;
}
