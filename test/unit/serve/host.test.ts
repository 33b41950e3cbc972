import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LocalRegistry } from '../../../shared/registry/local';
import { FileSource, ModelHost, RegistrySource, profileBuckets } from '../../../shared/serve/host';
import { readTable } from '../../../shared/serve/tabular';
import type { ServedModel } from '../../../shared/serve/served-model';
import { churnRecord, fixture, NUMERIC, CATEGORICAL, tempDir, trainChurn, writeModel } from './helpers';

async function registryWithTwoVersions() {
  const dir = await tempDir();
  const reg = new LocalRegistry(join(dir, 'registry'));
  const v1 = await writeModel(dir, 'v1.onnx', trainChurn('logistic', NUMERIC));
  const v2 = await writeModel(dir, 'v2.onnx', trainChurn('logistic', [...NUMERIC, ...CATEGORICAL]));
  await reg.register('churn', { 'model.onnx': v1 }, { card: () => '# v1\n' });
  await reg.register('churn', { 'model.onnx': v2 }, { card: () => '# v2\n' });
  await reg.setAlias('churn', 'production', 1, { by: 'test' });
  return { dir, reg };
}

/** Predicts one churn row through the host, the way a request does (acquire, run, release). */
async function request(host: ModelHost, i: number): Promise<string> {
  const m = host.acquire();
  try {
    const r = await m.predictTable(readTable(churnRecord(i)));
    expect(r.rows).toBe(1);
    return m.version;
  } finally {
    m.release();
  }
}

describe('hot reload', () => {
  test('a registry alias: load, swap on a move, no failed request meanwhile, the old session released', async () => {
    const { reg } = await registryWithTwoVersions();
    const swaps: string[] = [];
    const host = new ModelHost({
      source: new RegistrySource(reg, 'churn@production', 'registry'),
      batch: { maxWaitMs: 1 },
      events: { swapped: (m, prev) => swaps.push(`${prev?.version ?? '-'}→${m.version}`) },
    });
    expect(() => host.acquire()).toThrow(/not loaded yet/);
    expect(await host.reload()).toMatchObject({ changed: true, version: '1' });
    expect(await host.reload()).toMatchObject({ changed: false, version: '1' });
    const first = host.current!;

    // Load, 16 requests at a time: the alias moves and a reload starts after 150 requests; the load goes
    // on until 100 requests after the swap (at most 5000 requests).
    const versions: string[] = [];
    const failures: unknown[] = [];
    let next = 0;
    let reloaded: Promise<unknown> | undefined;
    let afterSwap = 0;
    const worker = async () => {
      while (next < 5000 && afterSwap < 100) {
        const i = next++;
        if (i === 150) {
          await reg.setAlias('churn', 'production', 2, { by: 'test' });
          reloaded = host.reload();
        }
        await request(host, i).then(
          (v) => {
            versions.push(v);
            if (v === '2') afterSwap++;
          },
          (e: unknown) => failures.push(e),
        );
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await reloaded;
    expect(failures).toEqual([]);
    expect(afterSwap).toBeGreaterThanOrEqual(100);
    expect(versions).toContain('1');
    expect(versions.at(-1)).toBe('2');
    // Once v2 served a request, every later one is v2 (the swap is one assignment).
    expect(versions.slice(versions.indexOf('2')).every((v) => v === '2')).toBe(true);
    expect(swaps).toEqual(['-→1', '1→2']);
    await first.batcher.idle();
    expect(first.isReleased).toBe(true);
    expect(host.current!.metadata()).toMatchObject({ versions: ['2'] });
    await host.close();
  });

  test('a failed load keeps the current version serving', async () => {
    const { dir, reg } = await registryWithTwoVersions();
    const host = new ModelHost({ source: new RegistrySource(reg, 'churn@production', 'registry') });
    await host.reload();
    // A version whose bytes are not a model (registered as such: the digest matches).
    const junk = join(dir, 'junk.onnx');
    await writeFile(junk, 'not a model');
    const v3 = await reg.register('churn', { 'model.onnx': junk }, { card: () => '# v3\n' });
    await reg.setAlias('churn', 'production', v3.version.version, { by: 'test' });
    await expect(host.reload()).rejects.toThrow(/not a valid ONNX model/);
    expect(host.current!.version).toBe('1');
    expect(await request(host, 0)).toBe('1');
    await host.close();
  });

  test('polling follows the alias', async () => {
    const { reg } = await registryWithTwoVersions();
    const host = new ModelHost({ source: new RegistrySource(reg, 'churn@production', 'registry') });
    await host.reload();
    host.startPolling(0.05);
    await reg.setAlias('churn', 'production', 2, { by: 'test' });
    const until = Date.now() + 5000;
    while (host.current!.version !== '2' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(host.current!.version).toBe('2');
    await host.close();
  });

  test('a model file: a new version when its bytes change', async () => {
    const dir = await tempDir();
    const path = join(dir, 'model.onnx');
    await copyFile(fixture('per_column_classifier'), path);
    const host = new ModelHost({ source: new FileSource(path) });
    expect(host.name).toBe('model');
    expect(await host.reload()).toMatchObject({ changed: true, version: '1' });
    expect(await host.reload()).toMatchObject({ changed: false, version: '1' });
    const old: ServedModel = host.current!;
    await copyFile(fixture('linear_classifier'), path);
    expect(await host.reload()).toMatchObject({ changed: true, version: '2', previous: '1' });
    await old.batcher.idle();
    expect(old.isReleased).toBe(true);
    await host.close();
  });

  test('regression buckets come from the training profile of the target', () => {
    const profile = { columns: { y: { numeric: { binEdges: [0, 1, 2, 5, 9] } }, x: {} } };
    expect(profileBuckets(profile, 'y')).toEqual([1, 2, 5]);
    expect(profileBuckets(profile, 'x')).toBeUndefined();
    expect(profileBuckets(profile, undefined)).toBeUndefined();
    expect(profileBuckets('nope', 'y')).toBeUndefined();
  });
});
