import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../store/index.js';
import { check, type CheckResult } from './check-result.js';

// The data directory and the SQLite store in it (docs/store.md). The store is opened read-only and
// never migrated, so the doctor cannot change what a (possibly running) agent relies on.

export const STORE_FILE = 'agent.sqlite';
export const SERVICE_USER = 'farmhand';

function passwdEntry(user: string): { uid: number; gid: number } | null {
  try {
    const f = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${user}:`))
      ?.split(':');
    const uid = Number(f?.[2]);
    const gid = Number(f?.[3]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** The agent creates its data directory on start (recursively), if the nearest existing parent lets it. */
function missing(dir: string, serviceUser: string): DataDirFinding {
  const create = `sudo install -d -o ${serviceUser} -g ${serviceUser} -m 750 ${dir} (or re-run the installer)`;
  let parent = dirname(resolve(dir));
  for (;;) {
    try {
      const st = statSync(parent);
      if (!st.isDirectory())
        return {
          result: check(
            'data-dir',
            'fail',
            `${dir} cannot be created: ${parent} is a file, not a directory`,
            'set dataDir (or --data-dir) to a directory path',
          ),
          exists: false,
        };
      accessSync(parent, constants.W_OK);
      return {
        result: check(
          'data-dir',
          'warn',
          `${dir} does not exist yet; the agent creates it on its first start`,
          `to create it now: ${create}`,
        ),
        exists: false,
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || parent === dirname(parent))
        return {
          result: check(
            'data-dir',
            'fail',
            `${dir} does not exist and cannot be created here (${parent}: ${code})`,
            create,
          ),
          exists: false,
        };
      parent = dirname(parent);
    }
  }
}

export interface DataDirFinding {
  readonly result: CheckResult;
  /** The directory is there (the store can be looked at). */
  readonly exists: boolean;
}

/**
 * Exists, is a directory, and is writable by whoever runs the agent: by this user, or, when the
 * doctor runs as root (which writes anywhere), by the service user per owner, group and mode.
 */
export function checkDataDir(dir: string, serviceUser = SERVICE_USER): DataDirFinding {
  const fail = (message: string, fix: string, exists = true): DataDirFinding => ({
    result: check('data-dir', 'fail', message, fix),
    exists,
  });
  const chown = `sudo chown -R ${serviceUser}:${serviceUser} ${dir} && sudo chmod 750 ${dir}`;
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return missing(dir, serviceUser);
    return fail(`cannot look at ${dir} (${code})`, 'run farmhand doctor with sudo', false);
  }
  if (!st.isDirectory())
    return fail(
      `${dir} is not a directory`,
      'move it aside; the agent keeps its store in a directory',
      false,
    );
  const probe = join(dir, `.doctor-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    return fail(
      `${dir} is not writable by this user (${(e as NodeJS.ErrnoException).code}): the agent cannot store shares there`,
      chown,
    );
  }
  if (process.getuid?.() === 0) {
    const svc = passwdEntry(serviceUser);
    if (svc !== null) {
      const writable =
        (st.uid === svc.uid && (st.mode & 0o300) === 0o300) ||
        (st.uid !== svc.uid && st.gid === svc.gid && (st.mode & 0o030) === 0o030) ||
        (st.uid !== svc.uid && st.gid !== svc.gid && (st.mode & 0o003) === 0o003);
      if (!writable)
        return fail(
          `${dir} is not writable by the service user ${serviceUser}: the agent cannot store shares there`,
          chown,
        );
      return {
        result: check('data-dir', 'ok', `${dir} exists and is writable by ${serviceUser}`),
        exists: true,
      };
    }
  }
  return { result: check('data-dir', 'ok', `${dir} exists and is writable`), exists: true };
}

export interface StoreFinding {
  readonly result: CheckResult;
  /** Shares held in the buffer, when the store could be read. */
  readonly depth: number | null;
}

export function checkStore(dir: string): StoreFinding {
  const path = join(dir, STORE_FILE);
  if (!existsSync(path))
    return {
      result: check('store', 'ok', `no ${STORE_FILE} yet: the agent creates it on its first start`),
      depth: 0,
    };
  const sidecars = [`${path}-wal`, `${path}-shm`];
  const before = sidecars.map((p) => existsSync(p));
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const version = row?.version ?? 0;
    const latest = MIGRATIONS.at(-1)?.version ?? 0;
    if (version > latest)
      return {
        result: check(
          'store',
          'fail',
          `${path} has schema version ${version}; this release knows up to ${latest}`,
          'a newer release wrote it: install that release again',
        ),
        depth: null,
      };
    const depth =
      version === 0 ? 0 : (db.prepare('SELECT COUNT(*) AS n FROM shares').get() as { n: number }).n;
    return { result: check('store', 'ok', `${path} opens (schema ${version})`), depth };
  } catch (e) {
    return {
      result: check(
        'store',
        'fail',
        `cannot read ${path}: ${(e as Error).message}`,
        `check its owner and permissions (sudo chown farmhand:farmhand ${path}*); if it is damaged, stop the agent and move it aside — unsent shares in it are then lost`,
      ),
      depth: null,
    };
  } finally {
    db?.close();
    // A reader may create -wal/-shm; as root they would then belong to root and lock the agent out.
    if (process.getuid?.() === 0) {
      const owner = statSync(path);
      sidecars.forEach((p, i) => {
        if (!before[i] && existsSync(p)) chownSync(p, owner.uid, owner.gid);
      });
    }
  }
}

/** Buffer depth: shares waiting for the upstream. A growing buffer means the upstream is not taking them. */
export function checkBuffer(
  depth: number | null,
  source: string,
  warnAt: number,
  maxShares: number,
): CheckResult {
  if (depth === null)
    return check(
      'buffer',
      'skip',
      'buffer depth unknown (no agent answered and the store could not be read)',
    );
  const what = `${depth} share${depth === 1 ? '' : 's'} waiting for the upstream (${source})`;
  if (depth >= maxShares)
    return check(
      'buffer',
      'fail',
      `${what}: the buffer is full and new shares are refused`,
      'get an upstream connected (see the upstream checks); raise buffer.maxShares only if the disk allows',
    );
  if (depth > warnAt)
    return check(
      'buffer',
      'warn',
      `${what}: above ${warnAt}`,
      'the upstream is not taking shares: see the upstream checks and the agent log (journalctl -u farmhand-agent -e)',
    );
  return check('buffer', 'ok', what);
}
