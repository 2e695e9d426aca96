// Reading a role's JSON config file at start: a file that cannot be read or parsed, or a value the
// role's schema refuses, is one clear line on stderr naming the role and the file, and exit code 2.
import { readFileSync } from 'node:fs';
import type { Result } from '@farmhand/core';

export function readJsonConfig(file: string): Result<unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      ok: false,
      error: { code: 'CONFIG_UNREADABLE', message: `cannot read config ${file}: ${(e as Error).message}` },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return {
      ok: false,
      error: {
        code: 'CONFIG_NOT_JSON',
        message: `config ${file} is not valid JSON: ${(e as Error).message}`,
      },
    };
  }
}

/** The role's checked config, or undefined after telling the operator why (exit code 2). */
export function loadRoleConfig<T>(
  role: string,
  file: string,
  parse: (raw: unknown) => Result<T>,
): { readonly ok: true; readonly value: T } | undefined {
  const raw = readJsonConfig(file);
  const config = raw.ok ? parse(raw.value) : raw;
  if (config.ok) return config;
  console.error(`${role}: ${raw.ok ? `${file}: ` : ''}${config.error.message}`);
  process.exitCode = 2;
  return undefined;
}
