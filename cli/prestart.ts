/**
 * The CLI's first import: for `mlops evaluate` and `mlops monitor` on a large CSV file, starts the
 * reader thread (prestartCsvReader) while the rest of the CLI's code loads, so that it has a batch
 * ready when the models are (a worker takes 40-80 ms to boot on a 2-core machine). Reads only argv.
 */
import { resolve } from 'node:path';
import { prestartCsvReader } from '../shared/data/csv-thread';

const [command, ...args] = process.argv.slice(2);
if (command === 'evaluate' || command === 'monitor') {
  const i = args.findIndex((a) => a === '--data' || a.startsWith('--data='));
  const data = i < 0 ? undefined : args[i]!.startsWith('--data=') ? args[i]!.slice('--data='.length) : args[i + 1];
  if (data) prestartCsvReader(resolve(data));
}
