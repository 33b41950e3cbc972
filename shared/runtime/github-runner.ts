/**
 * Running as a JavaScript action on a GitHub runner: inputs from INPUT_*, outputs, summary and
 * annotations through @actions/core (which writes the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and the
 * workflow commands). Only this folder and shared/github import @actions/*.
 */
import * as core from '@actions/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyActionSpec, Logger, RunContext } from './context';
import { execute, type Host } from './execute';
import { readGitHubInfo } from './github-context';
import { createProgress } from './progress';
import { capSummary, workspaceRelative } from './annotations';
import { runnerArtifacts, runnerCache } from './artifacts';

export function githubLogger(workspace: string): Logger {
  return {
    info: (m) => core.info(m),
    debug: (m) => core.debug(m),
    warning: (m) => core.warning(m),
    annotate(a) {
      const file = a.file ? workspaceRelative(a.file, workspace) : undefined;
      const props: core.AnnotationProperties = { title: a.title };
      if (file) {
        props.file = file;
        if (a.line !== undefined) props.startLine = a.line;
        if (a.endLine !== undefined) props.endLine = a.endLine;
        // GitHub ignores a column unless the annotation is on one line.
        if (a.column !== undefined && (a.endLine === undefined || a.endLine === a.line)) props.startColumn = a.column;
      }
      const message = file || !a.file ? a.message : `${a.file}${a.line ? `:${a.line}` : ''}: ${a.message}`;
      if (a.level === 'error') core.error(message, props);
      else if (a.level === 'warning') core.warning(message, props);
      else core.notice(message, props);
    },
    group: (title, fn) => core.group(title, fn),
    progress: (label, total, unit) =>
      createProgress({ label, total, unit, interactive: false, write: (t) => process.stdout.write(t) }),
  };
}

export async function runOnGitHub(spec: AnyActionSpec): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const tempRoot = process.env.RUNNER_TEMP || tmpdir();
  let summary = '';
  const log = githubLogger(workspace);
  let exitCode = 1;
  try {
    const ctx: RunContext = {
      kind: 'github',
      workspace,
      tempDir: mkdtempSync(join(tempRoot, `mlops-${spec.name}-`)),
      log,
      summary: (md) => {
        summary += md.endsWith('\n') ? md : `${md}\n`;
      },
      github: readGitHubInfo(process.env),
      artifacts: runnerArtifacts(process.env),
      cache: runnerCache(process.env, log),
    };
    const host: Host = {
      ctx,
      readInput: (name) => core.getInput(name),
      // The runner fills `${{ github.token }}`-style defaults; if it did not, there is nothing to fall back on.
      expressionFallback: () => '',
      setOutput: (name, value) => core.setOutput(name, value),
      flushSummary: async () => {
        if (!summary || !process.env.GITHUB_STEP_SUMMARY) return;
        await core.summary.addRaw(capSummary(summary)).write();
        summary = '';
      },
      fail: (message) => core.setFailed(message),
    };
    exitCode = await execute(spec, host);
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
  process.exitCode = exitCode;
}
