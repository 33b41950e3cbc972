/**
 * Typed action inputs. Each action declares its inputs once, here in TypeScript: description, whether it
 * is required, its default, and a zod schema that turns the raw string into a typed value. A unit test
 * keeps every action.yml in step with its spec, and the CLI takes the same names as flags, so the action
 * and `mlops <action>` accept exactly the same things.
 */
import { z } from 'zod';
import { UserError } from '../errors';

export interface InputSpec<T, Present extends boolean = boolean> {
  description: string;
  required: boolean;
  /** Default as action.yml writes it (a string; may be an expression such as `${{ github.token }}`). */
  default?: string;
  schema: z.ZodType<T, string>;
  /** Only to carry the type: whether the parsed value is always present. */
  readonly present?: Present;
}

export const input = {
  /** A required input: the step fails with a clear message when it is missing. */
  required<T>(description: string, schema: z.ZodType<T, string>): InputSpec<T, true> {
    return { description, required: true, schema };
  },
  /** An optional input with no default: undefined when not given. */
  optional<T>(description: string, schema: z.ZodType<T, string>): InputSpec<T, false> {
    return { description, required: false, schema };
  },
  /** An optional input with a default, so the value is always present. */
  withDefault<T>(description: string, defaultValue: string, schema: z.ZodType<T, string>): InputSpec<T, true> {
    return { description, required: false, default: defaultValue, schema };
  },
};

/** Schemas for the raw strings the runner passes. */
export const raw = {
  string: (): z.ZodType<string, string> => z.string().min(1),
  /** Exactly the spellings @actions/core's getBooleanInput accepts (YAML 1.2 core schema). */
  boolean: (): z.ZodType<boolean, string> =>
    z
      .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'], {
        error: 'must be true or false (true | True | TRUE | false | False | FALSE)',
      })
      .transform((v) => v.toLowerCase() === 'true'),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T): z.ZodType<T[number], string> =>
    z.enum(values, { error: `must be one of: ${values.join(', ')}` }) as unknown as z.ZodType<T[number], string>,
  integer: (min = Number.MIN_SAFE_INTEGER): z.ZodType<number, string> =>
    z
      .string()
      .regex(/^-?\d+$/, { error: 'must be a whole number' })
      .transform(Number)
      .pipe(z.number().int().min(min, { error: `must be at least ${min}` })),
};

type SpecMap = Record<string, InputSpec<unknown, boolean>>;

export type InputValues<I extends SpecMap> = {
  [K in keyof I]: I[K] extends InputSpec<infer T, infer P> ? (P extends true ? T : T | undefined) : never;
};

/**
 * Parses raw input strings (already trimmed, '' meaning "not given") into typed values. A default that
 * is a GitHub expression (`${{ … }}`) is filled by the runner; where nothing filled it (local CLI), the
 * `expressionFallback` decides its value (e.g. the GITHUB_TOKEN environment variable for the token).
 */
export function parseInputs<I extends SpecMap>(
  specs: I,
  rawValues: (name: string) => string,
  expressionFallback: (name: string, expression: string) => string = () => '',
): InputValues<I> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  let first: string | undefined;
  for (const [name, spec] of Object.entries(specs)) {
    let value = rawValues(name).trim();
    if (value === '' && spec.default !== undefined) {
      value = spec.default.includes('${{') ? expressionFallback(name, spec.default) : spec.default;
    }
    if (value === '') {
      if (spec.required) {
        problems.push(`Input '${name}' is required: ${spec.description}`);
        first ??= name;
      }
      out[name] = undefined;
      continue;
    }
    const parsed = spec.schema.safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`Input '${name}' ${why.startsWith('must') ? '' : 'is invalid: '}${why} (got '${value}')`);
      first ??= name;
      continue;
    }
    out[name] = parsed.data;
  }
  if (problems.length > 0) {
    throw new UserError(
      problems.join('\n'),
      { input: first },
      'set the input in the step\'s `with:` block (or pass --<input> to the mlops CLI)',
    );
  }
  return out as InputValues<I>;
}
