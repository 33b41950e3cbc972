/**
 * The in-process half of bench/evaluate.mjs, bundled by it with esbuild (like the actions) into
 * bench/.data/ and run in a child process per measurement, which prints one JSON line:
 *   read     <csv> <reps>                    reading the CSV the way evaluate reads it (batches only)
 *   raw      <model> <csv> <reps>            session.run over input tensors pre-built for every batch
 *                                            (wall and CPU seconds of each loop, the host's steal)
 *   pipeline <model> <csv> <target> <reps>   evaluate's scoring + metrics over pre-read batches
 *   action   <root> <workspace> <json inputs> <reps>
 *                                            the evaluate action's bundle started as a runner starts
 *                                            it (test/e2e/harness.ts's runAction), process start to exit
 * The batches are the ones evaluate's reader yields (same read options, so the same batch sizes).
 */
import { statSync } from 'node:fs';
import type * as ort from 'onnxruntime-node';
import { readDataset } from '../shared/data/dataset';
import type { RowBatch } from '../shared/data/types';
import { evaluateReadOptions, scoreStream } from '../shared/evaluate/score';
import { buildFeeds, loadModel } from '../shared/model/infer';
import { runAction } from '../test/e2e/harness';
import { stealSeconds } from './host.mjs';

const now = () => Number(process.hrtime.bigint()) / 1e9;

async function readAll(csv: string): Promise<RowBatch[]> {
  const out: RowBatch[] = [];
  for await (const b of readDataset([{ path: csv, size: statSync(csv).size }], evaluateReadOptions({}))) out.push(b);
  return out;
}

function batchStats(batches: RowBatch[]) {
  const lens = batches.map((b) => b.length);
  const rows = lens.reduce((a, b) => a + b, 0);
  return { rows, batches: batches.length, minBatch: Math.min(...lens), maxBatch: Math.max(...lens), meanBatch: Math.round(rows / batches.length) };
}

async function main(): Promise<unknown> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'read') {
    const [csv, reps] = args as [string, string];
    const seconds: number[] = [];
    let stats;
    for (let i = 0; i < Number(reps); i++) {
      const t0 = now();
      let rows = 0;
      let batches = 0;
      for await (const b of readDataset([{ path: csv, size: statSync(csv).size }], evaluateReadOptions({}))) {
        rows += b.length;
        batches++;
      }
      seconds.push(now() - t0);
      stats = { rows, batches };
    }
    return { ...stats, seconds };
  }
  if (mode === 'raw') {
    const [modelPath, csv, reps] = args as [string, string, string];
    const model = await loadModel(modelPath);
    try {
      const batches = await readAll(csv);
      const stats = batchStats(batches);
      // All the input tensors, built before the clock starts; the batches (and their text) are dropped.
      const feeds: Record<string, ort.Tensor>[] = batches.map((b) => buildFeeds(model, b));
      batches.length = 0;
      const seconds: number[] = [];
      // CPU time of the whole process (onnxruntime's own threads included) during each loop.
      const cpu: number[] = [];
      const steal: number[] = [];
      for (let i = 0; i < Number(reps); i++) {
        const t0 = now();
        const c0 = process.cpuUsage();
        const s0 = stealSeconds();
        for (const f of feeds) await model.session.run(f);
        const c = process.cpuUsage(c0);
        seconds.push(now() - t0);
        cpu.push((c.user + c.system) / 1e6);
        steal.push(stealSeconds() - s0);
      }
      return { ...stats, inputs: Object.entries(feeds[0]!).map(([k, t]) => `${k}:${t.type}[${t.dims.join(',')}]`), seconds, cpu, steal };
    } finally {
      await model.release();
    }
  }
  if (mode === 'pipeline') {
    const [modelPath, csv, target, reps] = args as [string, string, string, string];
    // Loaded as evaluate loads it (categorical inputs one-hot encoded, labels read as class indices, by the scorer); the raw loop above
    // runs the model as the file has it.
    const model = await loadModel(modelPath, { encodeOneHot: true, labelIndex: true });
    try {
      const seconds: number[] = [];
      let stats;
      let metrics;
      for (let i = 0; i < Number(reps); i++) {
        let batches: RowBatch[] | undefined = await readAll(csv);
        stats = batchStats(batches);
        const t0 = now();
        const run = await scoreStream(batches, { candidate: model }, { target });
        seconds.push(now() - t0);
        batches = undefined;
        const m = run.candidate.metrics as unknown as Record<string, unknown>;
        metrics = { accuracy: m['accuracy'], roc_auc: m['roc_auc'], log_loss: m['log_loss'], count: m['count'] };
      }
      return { ...stats, metrics, seconds };
    } finally {
      await model.release();
    }
  }
  if (mode === 'action') {
    const [root, workspace, inputs, reps] = args as [string, string, string, string];
    const seconds: number[] = [];
    for (let i = 0; i < Number(reps); i++) {
      const r = await runAction({ root, action: 'evaluate', workspace, inputs: JSON.parse(inputs) as Record<string, string> });
      if (r.exitCode !== 0 || r.outputs['passed'] === undefined) throw new Error(`the evaluate action failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
      seconds.push(r.seconds);
    }
    return { seconds };
  }
  throw new Error(`unknown mode ${mode}`);
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
