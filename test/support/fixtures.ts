import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The shared fixtures sit beside the repository (../shared/fixtures); FARMHAND_FIXTURES overrides.
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = process.env.FARMHAND_FIXTURES ?? resolve(REPO_ROOT, '../shared/fixtures');

export function fixturePath(rel: string): string {
  return resolve(FIXTURES, rel);
}

export function readFixture(rel: string): string {
  return readFileSync(fixturePath(rel), 'utf8');
}

export function readFixtureJson<T = unknown>(rel: string): T {
  return JSON.parse(readFixture(rel)) as T;
}
