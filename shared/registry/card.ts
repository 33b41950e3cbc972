/**
 * The model card: the release body and model-card.md. Hugging Face-style YAML front matter (machine
 * readable) and sections a reviewer reads: intended use, data, metrics, gates, lineage.
 */
import { stringify } from 'yaml';
import type { Manifest } from '../model/manifest';
import type { Evaluation } from '../evaluate/action';
import { scalarMetrics } from '../metrics';
import { code, num, table } from '../report/markdown';

export interface CardInput {
  name: string;
  version: number;
  digest: string;
  manifest?: Manifest;
  evaluation?: Evaluation;
  license?: string;
  intendedUse?: string;
  notes?: string;
  repository?: string;
  serverUrl?: string;
  pullRequest?: number;
  commit?: string;
  runUrl?: string;
  parent?: number;
}

export function modelCard(c: CardInput): string {
  const m = c.manifest;
  const e = c.evaluation;
  const metrics = e ? (scalarMetrics(e.candidate.metrics) as Record<string, number>) : {};
  const front: Record<string, unknown> = {
    model_name: c.name,
    version: c.version,
    digest: c.digest,
    ...(c.license ? { license: c.license } : {}),
    ...(m ? { task: m.task, library_name: m.trainer.kind === 'command' ? 'custom' : `mlops-actions/${m.trainer.kind}`, datasets: [m.data.hash] } : {}),
    ...(e
      ? {
          'model-index': [
            {
              name: c.name,
              results: [{ task: { type: e.candidate.metrics.task }, dataset: { name: e.data.source, revision: e.data.hash }, metrics: Object.entries(metrics).map(([type, value]) => ({ type, value })) }],
            },
          ],
        }
      : {}),
  };
  const repoUrl = c.repository && c.serverUrl ? `${c.serverUrl}/${c.repository}` : undefined;
  const lines = [`---\n${stringify(front, { lineWidth: 0 }).trimEnd()}\n---`, '', `# ${c.name} v${c.version}`, ''];
  lines.push('## Intended use', '', c.intendedUse ?? `_Not stated. Say what ${c.name} is for, and what it must not be used for, with the \`notes\` input of register._`, '');
  if (c.notes) lines.push(c.notes, '');
  lines.push('## Data', '');
  if (m) {
    lines.push(
      table(
        ['', ''],
        [
          ['training data', `${code(m.data.source)}: ${num(m.data.rows)} rows, ${code(m.data.hash)}`],
          ['target', code(m.target)],
          ['features', m.features.map((f) => `${f.name} (${f.kind})`).join(', ') || '(in the model)'],
          ['trainer', `${m.trainer.kind}${m.trainer.command ? `: ${code(m.trainer.command)}` : ''}, params ${code(JSON.stringify(m.trainer.params))}, seed ${m.trainer.seed}`],
        ],
      ),
      '',
    );
  } else lines.push('_No manifest was registered._', '');
  lines.push('## Metrics', '');
  if (e) {
    const shown = Object.entries(metrics).filter(([k]) => k !== 'count');
    lines.push(`On ${code(e.data.source)} (${num(e.data.rows)} rows, ${code(e.data.hash)}):`, '');
    lines.push(table(['metric', 'value', ...(e.baseline ? ['baseline'] : [])], shown.map(([k, v]) => [k, v.toFixed(4), ...(e.baseline ? [(scalarMetrics(e.baseline.metrics) as Record<string, number>)[k]?.toFixed(4) ?? ''] : [])]), ['l', 'r', 'r']), '');
    lines.push('## Gates', '');
    if (e.gates.results.length) {
      for (const g of e.gates.results) lines.push(`- ${g.status === 'pass' ? '✅' : g.status === 'fail' ? '❌' : '⏭️'} ${g.metric} ${g.bound}: ${g.reason}`);
      lines.push('', `Verdict: **${e.passed ? 'passed' : 'failed'}**.`, '');
    } else lines.push('_No gates were configured._', '');
  } else lines.push('_No evaluation was registered._', '');
  lines.push('## Lineage', '');
  const lineage: string[][] = [['model digest', code(c.digest)]];
  if (c.commit) lineage.push(['commit', repoUrl ? `[${c.commit.slice(0, 12)}](${repoUrl}/commit/${c.commit})` : code(c.commit)]);
  if (c.pullRequest !== undefined) lineage.push(['pull request', repoUrl ? `[#${c.pullRequest}](${repoUrl}/pull/${c.pullRequest})` : `#${c.pullRequest}`]);
  if (c.runUrl) lineage.push(['workflow run', c.runUrl]);
  if (c.parent !== undefined) lineage.push(['parent version', `v${c.parent}`]);
  if (m) lineage.push(['trained', `${m.startedAt} in ${m.durationSeconds.toFixed(1)} s`]);
  lines.push(table(['', ''], lineage), '');
  return `${lines.join('\n')}\n`;
}
