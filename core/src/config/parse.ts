import type { z } from 'zod';
import { type Result, fail, ok } from '../result.js';

// Config files are validated once at start with zod; each problem is reported as `<where>.<key>: <what>`
// so an operator can fix the file without reading code.

export type ConfigErrorCode = 'CONFIG_INVALID';

export function parseConfig<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where = 'config',
): Result<z.infer<S>, ConfigErrorCode> {
  const r = schema.safeParse(value);
  if (r.success) return ok(r.data);
  const lines = r.error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  return fail('CONFIG_INVALID', lines.join('\n'));
}
