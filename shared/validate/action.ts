/**
 * validate-data: is this data fit to train on? Checks a dataset against a schema (written by hand, or
 * inferred from a reference profile), profiles it, and reports every problem at its file and line.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { displayIn } from '../runtime/annotations';
import { defineAction, type RunContext } from '../runtime/context';
import { input, raw } from '../runtime/inputs';
import { hashDataset, listDataset } from '../data/dataset';
import type { DataFormat } from '../data/types';
import { loadSchema, type DataSchema } from '../schema/schema';
import { runValidation } from './engine';
import { renderReport } from './report';
import { columnSummaries, readProfileFile, referenceColumns, writeProfileFile } from './profiling';
import { inferSchemaFromProfile } from './schema-from-profile';
import { exampleWhere, MAX_EXAMPLES } from './findings';
import type { DatasetProfile } from '../profile/profile';

export const validateDataSpec = defineAction({
  name: 'validate-data',
  description: 'Check a dataset against a schema or a reference profile, profile it, and report every problem at its file and line.',
  inputs: {
    data: input.required('Path or glob of the dataset (CSV, TSV, JSON Lines or Parquet; several files are read as one dataset).', raw.string()),
    format: input.optional('Format of the data files: csv, jsonl or parquet. Default: from each file\'s extension.', raw.oneOf(['csv', 'jsonl', 'parquet'])),
    delimiter: input.optional('CSV field delimiter (one character). Default: comma, or tab for .tsv files.', z.string().length(1, { error: 'must be a single character' })),
    schema: input.optional('Data schema YAML file (see "Data schema" in README.md). Write one with `mlops schema infer`.', raw.string()),
    reference: input.optional(
      'A reference profile (JSON written by validate-data or stored with a registered model). Values outside its range and categories it never saw are reported; when no schema is given, the expected schema is inferred from it.',
      raw.string(),
    ),
    target: input.optional('The label column: it must be present and have no nulls. Default: the schema\'s `label`.', raw.string()),
    'fail-on': input.withDefault('When the step fails: error (any error), warning (any error or warning) or never.', 'error', raw.oneOf(['error', 'warning', 'never'])),
    'profile-output': input.withDefault('Where to write the profile of this data (JSON).', '.mlops/validate-data/profile.json', raw.string()),
    'report-output': input.withDefault('Where to write the markdown report (the job summary has the same text).', '.mlops/validate-data/report.md', raw.string()),
  },
  outputs: {
    valid: 'true when no check failed at the `fail-on` level, else false.',
    rows: 'Number of rows read.',
    'data-hash': 'Content hash of the dataset: sha256 of the file, or of the sorted file list with each file\'s sha256.',
    profile: 'Path of the profile written (usable as a later run\'s `reference`).',
    report: 'Path of the markdown report.',
    errors: 'Number of failed checks at error level.',
    warnings: 'Number of failed checks at warning level.',
  },
  async run(inputs, ctx) {
    return validateData(inputs, ctx);
  },
});

export interface ValidateDataInputs {
  data: string;
  format?: DataFormat;
  delimiter?: string;
  schema?: string;
  reference?: string;
  target?: string;
  'fail-on': 'error' | 'warning' | 'never';
  'profile-output': string;
  'report-output': string;
  /** Clock for freshness checks (tests). */
  now?: number;
}

export async function validateData(inputs: ValidateDataInputs, ctx: RunContext) {
  const started = performance.now();
  const ws = ctx.workspace;
  const display = displayIn(ws);
  const files = await listDataset(inputs.data, ws);
  let schema: DataSchema | undefined;
  let schemaInferredFrom: string | undefined;
  if (inputs.schema) schema = (await loadSchema(resolve(ws, inputs.schema), inputs.schema)).value;
  let reference: DatasetProfile | undefined;
  if (inputs.reference) {
    reference = await readProfileFile(resolve(ws, inputs.reference), inputs.reference, 'reference');
    if (!schema) {
      schema = inferSchemaFromProfile(reference, { label: inputs.target, withValues: false });
      schemaInferredFrom = inputs.reference;
    }
  }
  const label = inputs.target ?? schema?.label;
  const totalBytes = (await Promise.all(files.map((f) => stat(f.path).then((s) => s.size)))).reduce((a, b) => a + b, 0);
  const progress = ctx.log.progress('validate-data', totalBytes, 'bytes');

  // CSV files are hashed as they are read; only the others are read again for the content hash.
  const hashed = new Map<string, string>();
  const outcome = await runValidation(files, {
    schema,
    reference: reference ? referenceColumns(reference) : undefined,
    label,
    now: inputs.now ?? Date.now(),
    read: { format: inputs.format, delimiter: inputs.delimiter, onProgress: (done) => progress.update(done), onFileHash: (file, sha256) => hashed.set(file, sha256) },
    display,
    tempDir: ctx.tempDir,
  });
  const dataHash = await hashDataset(files, hashed);
  progress.done();

  const findings = outcome.findings.list();
  const errors = outcome.findings.count('error');
  const warnings = outcome.findings.count('warning');
  const valid = inputs['fail-on'] === 'never' ? errors === 0 : inputs['fail-on'] === 'warning' ? errors + warnings === 0 : errors === 0;
  const shouldFail = inputs['fail-on'] !== 'never' && !valid;

  // Annotations on the offending rows: at most MAX_EXAMPLES per check and column.
  for (const f of findings) {
    for (const e of f.examples.slice(0, MAX_EXAMPLES)) {
      ctx.log.annotate({
        level: f.severity,
        title: `validate-data: ${f.check}${f.column ? ` (${f.column})` : ''}`,
        message: `${f.column ? `Column '${f.column}': ` : ''}expected ${f.expected}, found ${e.value !== undefined ? `'${e.value}'` : f.found}${f.count > 1 ? ` (${f.count} rows in all; first at ${exampleWhere(f.examples[0]!)})` : ''}`,
        file: e.row >= 0 || e.line !== undefined ? resolve(ws, e.file) : undefined,
        line: e.line,
      });
    }
  }

  const profile = { ...outcome.profile, dataHash };
  const profilePath = resolve(ws, inputs['profile-output']);
  await writeProfileFile(profilePath, profile);
  const report = renderReport({
    valid,
    dataLabel: inputs.data,
    rows: outcome.rows,
    columns: outcome.columns.length,
    dataHash,
    schemaLabel: inputs.schema,
    schemaInferredFrom,
    referenceLabel: inputs.reference,
    findings,
    columnSummaries: columnSummaries(profile, label, schema?.columns),
    errors,
    warnings,
    failOn: inputs['fail-on'],
    seconds: (performance.now() - started) / 1000,
  });
  const reportPath = resolve(ws, inputs['report-output']);
  await mkdir(dirname(reportPath), { recursive: true });
  await writeFile(reportPath, report);
  ctx.summary(report);

  return {
    outputs: {
      valid,
      rows: outcome.rows,
      'data-hash': dataHash,
      profile: display(profilePath),
      report: display(reportPath),
      errors,
      warnings,
    },
    failure: shouldFail
      ? `validate-data found ${errors} error${errors === 1 ? '' : 's'} and ${warnings} warning${warnings === 1 ? '' : 's'} in ${inputs.data}: ${findings
          .filter((f) => f.severity === 'error' || inputs['fail-on'] === 'warning')
          .slice(0, 5)
          .map((f) => `${f.check}${f.column ? ` in '${f.column}'` : ''}`)
          .join(', ')}. See the job summary for the rows.`
      : undefined,
  };
}
