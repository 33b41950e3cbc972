/**
 * Reading a dataset into the built-in trainers' columnar table: every feature column as numbers (when
 * every non-null value is a number) or as categories (text, booleans), and the target.
 */
import type { DatasetFile, ReadOptions } from '../data/types';
import { readDataset } from '../data/dataset';
import { UserError } from '../errors';
import { KIND, cellText, newSniffed, sniff } from '../schema/values';
import type { FeatureColumn, TrainingTable } from '../model/trainers';
import { GrowableFloat64 } from '../metrics/buffers';

interface ColumnBuffer {
  name: string;
  numbers: GrowableFloat64;
  texts: (string | null)[];
  numeric: boolean;
  /** First non-numeric value, to explain why a column is categorical. */
  firstText?: string;
}

export interface LoadedTable {
  table: TrainingTable;
  rows: number;
  /** Columns in the data that are neither features nor the target. */
  ignored: string[];
}

export async function loadTrainingTable(
  files: DatasetFile[],
  o: { target: string; features?: string[]; task: 'classification' | 'regression'; read: ReadOptions; display: (p: string) => string },
): Promise<LoadedTable> {
  const sn = newSniffed();
  const buffers = new Map<string, ColumnBuffer>();
  let rows = 0;
  let columns: string[] | undefined;
  for await (const batch of readDataset(files, o.read)) {
    if (!columns) {
      columns = batch.columns;
      if (!columns.includes(o.target)) {
        throw new UserError(
          `The target column '${o.target}' is not in the data (columns: ${columns.join(', ')})`,
          { input: 'target', file: o.display(batch.file), line: 1 },
          'set `target` to the label column',
        );
      }
      const wanted = o.features ?? columns.filter((c) => c !== o.target);
      const missing = wanted.filter((f) => !columns!.includes(f));
      if (missing.length) {
        throw new UserError(`Feature column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} not in the data (columns: ${columns.join(', ')})`, { input: 'features' });
      }
      if (wanted.includes(o.target)) throw new UserError(`The target '${o.target}' is also listed as a feature`, { input: 'features' }, 'remove it from `features`');
      for (const name of [...wanted, o.target]) buffers.set(name, { name, numbers: new GrowableFloat64(), texts: [], numeric: true });
    }
    for (const [name, buf] of buffers) {
      const c = batch.columns.indexOf(name);
      if (c < 0) throw new UserError(`Column '${name}' is missing from ${o.display(batch.file)}`, { file: o.display(batch.file), line: 1 });
      const values = batch.values[c]!;
      for (let r = 0; r < batch.length; r++) {
        const cell = values[r] ?? null;
        sniff(cell, sn);
        if (sn.kind === KIND.null) {
          if (name === o.target) {
            const line = batch.lines?.[r];
            throw new UserError(
              `The target '${name}' is empty in row ${batch.firstRow + r + 1}`,
              { file: o.display(batch.file), ...(line !== undefined ? { line } : {}), input: 'data' },
              'every training row needs a label: drop unlabelled rows (validate-data reports them as label-null)',
            );
          }
          buf.numbers.push(NaN);
          buf.texts.push(null);
          continue;
        }
        const text = cellText(cell);
        buf.texts.push(text);
        if (sn.kind === KIND.integer || sn.kind === KIND.float) buf.numbers.push(sn.num);
        else {
          buf.numbers.push(NaN);
          if (buf.numeric) {
            buf.numeric = false;
            buf.firstText = text;
          }
        }
      }
    }
    rows += batch.length;
  }
  if (!columns || rows === 0) throw new UserError('The training data has no rows', { input: 'data' });
  const target = buffers.get(o.target)!;
  buffers.delete(o.target);
  const features: FeatureColumn[] = [...buffers.values()].map((b) =>
    b.numeric ? { name: b.name, kind: 'numeric', values: b.numbers.view() } : { name: b.name, kind: 'categorical', values: b.texts },
  );
  let targetValues: Float64Array | (string | null)[];
  if (o.task === 'regression') {
    if (!target.numeric) {
      throw new UserError(`A regression target must be numeric; '${o.target}' has '${target.firstText}'`, { input: 'target' }, 'use trainer: logistic for class labels');
    }
    targetValues = target.numbers.view();
  } else {
    targetValues = target.numeric ? target.numbers.view() : target.texts;
  }
  const used = new Set([...features.map((f) => f.name), o.target]);
  return { table: { columns: features, target: { name: o.target, values: targetValues } }, rows, ignored: columns.filter((c) => !used.has(c)) };
}
