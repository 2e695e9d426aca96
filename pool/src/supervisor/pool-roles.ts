import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, ok, type Result } from '@farmhand/core';
import type { ChildSpec } from './child-spec.js';

export const POOL_ROLES = [
  'gateway',
  'jobmaster',
  'blockmaster',
  'bitpeer',
  'poolbench',
  'metawriter',
  'metarelay',
  'alertcenter',
] as const;
export type PoolRole = (typeof POOL_ROLES)[number];

export const DEFAULT_RUN_ROLES: readonly PoolRole[] = ['jobmaster', 'gateway'];

const POOL_BIN = fileURLToPath(new URL('../../bin/farmhand-pool.js', import.meta.url));

/** Parses `--roles a,b`: known names, each once. */
export function parseRoleList(
  text: string,
): Result<PoolRole[], 'ROLE_UNKNOWN' | 'ROLE_REPEATED' | 'ROLES_EMPTY'> {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0)
    return fail('ROLES_EMPTY', `--roles is empty; name one or more of: ${POOL_ROLES.join(', ')}`);
  const roles: PoolRole[] = [];
  for (const name of names) {
    const role = POOL_ROLES.find((r) => r === name);
    if (role === undefined)
      return fail('ROLE_UNKNOWN', `unknown role "${name}"; the roles are: ${POOL_ROLES.join(', ')}`);
    if (roles.includes(role)) return fail('ROLE_REPEATED', `role "${name}" is listed twice in --roles`);
    roles.push(role);
  }
  return ok(roles);
}

/** Each role as `farmhand-pool <role> [--config DIR/<role>.json]`, run by this same node. */
export function poolRoleSpecs(roles: readonly PoolRole[], configDir?: string): ChildSpec[] {
  return roles.map((role) => ({
    name: role,
    command: process.execPath,
    args: [POOL_BIN, role, ...(configDir === undefined ? [] : ['--config', join(configDir, `${role}.json`)])],
  }));
}
