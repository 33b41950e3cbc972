// startAzurite: Azurite's blob service on a free port of 127.0.0.1, answering, gone after close().
import { describe, expect, it } from 'vitest';
import { startAzurite } from '../../fake-actions';

const answers = (url: string) =>
  fetch(`${url}?comp=list`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.status,
    () => undefined,
  );

describe('startAzurite', () => {
  it('starts two instances on different free ports, each answering, and stops them', async () => {
    const started = Date.now();
    const [a, b] = await Promise.all([startAzurite(), startAzurite()]);
    try {
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(a.port).not.toBe(b.port);
      expect(a.blobUrl).toBe(`http://127.0.0.1:${a.port}/devstoreaccount1`);
      // Unsigned requests are refused (403): the account needs a key or a SAS.
      expect(await answers(a.blobUrl)).toBe(403);
      expect(await answers(b.blobUrl)).toBe(403);
      expect(a.log()).toContain('successfully listens');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(await answers(a.blobUrl)).toBeUndefined();
    expect(await answers(b.blobUrl)).toBeUndefined();
    await a.close(); // idempotent
  });

  it('gives up within its start timeout', async () => {
    await expect(startAzurite({ startTimeoutMs: 1 })).rejects.toThrow(/within 1 ms/);
  });
});
