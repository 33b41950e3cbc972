import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Annotation, RunContext } from '../../shared/runtime/context';
import { createProgress } from '../../shared/runtime/progress';
import { folderArtifacts, folderCache } from '../../shared/runtime/artifacts';

export interface TestContext extends RunContext {
  annotations: Annotation[];
  summaries: string[];
  logs: string[];
}

/** A local RunContext that records what an action logs, annotates and summarizes. */
export function testContext(workspace = mkdtempSync(join(tmpdir(), 'mlops-test-'))): TestContext {
  const annotations: Annotation[] = [];
  const summaries: string[] = [];
  const logs: string[] = [];
  return {
    kind: 'local',
    workspace,
    tempDir: mkdtempSync(join(tmpdir(), 'mlops-test-tmp-')),
    annotations,
    summaries,
    logs,
    summary: (md) => summaries.push(md),
    artifacts: folderArtifacts(join(workspace, '.mlops/artifacts')),
    cache: folderCache(join(workspace, '.mlops/cache/entries'), workspace),
    log: {
      info: (m) => logs.push(m),
      debug: () => undefined,
      warning: (m) => logs.push(`warning: ${m}`),
      annotate: (a) => annotations.push(a),
      group: (_t, fn) => fn(),
      progress: (label, total) => createProgress({ label, total, interactive: false, write: () => undefined }),
    },
  };
}
