/**
 * The `features` input of train and evaluate. Its own module so that evaluate does not load the
 * train action (the trainers, validation and profiling) to read a list of column names.
 */
import { parse as parseYamlText } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors';

/** Feature list from "a, b" or a YAML list. */
export function parseFeatures(text: string | undefined): string[] | undefined {
  if (!text) return undefined;
  const t = text.trim();
  if (t.startsWith('[') || t.startsWith('-')) {
    const parsed = z.array(z.string()).safeParse(parseYamlText(t));
    if (!parsed.success) throw new UserError(`Input 'features' must be a list of column names`, { input: 'features' }, 'e.g. features: age, plan, monthly_charges');
    return parsed.data;
  }
  return t.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}
