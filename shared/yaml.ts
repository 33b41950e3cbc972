/**
 * Reading a YAML file people edit by hand (a data schema, gate thresholds, a monitor config) into a
 * typed value with zod, with every problem reported at its line and column in the file.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { UserError, type Location } from './errors';

export interface YamlSource<T> {
  value: T;
  /** Line/column of the node at a path (`['columns', 'age', 'range']`), or of its nearest ancestor. */
  locate(path: readonly (string | number)[]): Location;
}

function nodeAt(root: unknown, path: readonly (string | number)[]): { node: YamlNode | undefined; keyNode?: YamlNode } {
  let node = root as YamlNode | undefined;
  let keyNode: YamlNode | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { node, keyNode };
      keyNode = pair.key as YamlNode;
      node = (pair.value ?? pair.key) as YamlNode;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) return { node, keyNode };
      node = item as YamlNode;
      keyNode = undefined;
    } else {
      return { node, keyNode };
    }
  }
  return { node, keyNode };
}

export function parseYaml<S extends z.ZodType>(
  text: string,
  schema: S,
  file: string,
  what: string,
  hint: string,
): YamlSource<z.output<S>> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const locateOffset = (offset: number): Location => {
    const p = lc.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new UserError(`${what} is not valid YAML: ${e.message.split('\n')[0]}`, locateOffset(e.pos[0]), hint);
  }
  const locate = (path: readonly (string | number)[]): Location => {
    const { node, keyNode } = nodeAt(doc.contents, path);
    const target = keyNode && !isMap(node) && !isSeq(node) ? node ?? keyNode : node ?? keyNode;
    const range = target?.range;
    return range ? locateOffset(range[0]) : { file, line: 1, column: 1 };
  };
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = schema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const at = path.length ? `at '${path.join('.')}'` : 'at the top level';
    throw new UserError(`${what} is invalid ${at}: ${issue.message}`, locate(path), hint);
  }
  return { value: parsed.data as z.output<S>, locate };
}

export async function readYamlFile<S extends z.ZodType>(
  path: string,
  displayPath: string,
  schema: S,
  what: string,
  hint: string,
  input?: string,
): Promise<YamlSource<z.output<S>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `${what} file not found: ${displayPath}` : `Cannot read ${what} file ${displayPath}: ${(err as Error).message}`,
      { input },
      hint,
    );
  }
  return parseYaml(text, schema, displayPath, what, hint);
}
