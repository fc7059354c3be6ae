/**
 * A small content-addressed git object store for the fake GitHub: blobs, trees and commits hashed exactly as
 * git does (`sha1("<type> <len>\0" + body)`), so SHAs computed by code under test match the fake's.
 */
import { createHash } from 'node:crypto';

export type Mode = '100644' | '100755' | '040000' | '160000' | '120000';

export interface Blob {
  readonly type: 'blob';
  readonly sha: string;
  readonly bytes: Uint8Array;
}

export interface TreeEntry {
  readonly name: string;
  readonly mode: Mode;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
}

export interface Tree {
  readonly type: 'tree';
  readonly sha: string;
  readonly entries: readonly TreeEntry[];
}

export interface Signature {
  readonly name: string;
  readonly email: string;
  /** ISO 8601. */
  readonly date: string;
}

export interface Commit {
  readonly type: 'commit';
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Signature;
  readonly committer: Signature;
  readonly message: string;
  /** GitHub users the fake attributes the commit to (null: an email GitHub does not know). */
  readonly authorLogin: string | null;
  readonly committerLogin: string | null;
}

export type GitObject = Blob | Tree | Commit;

/** A flattened tree: path → file entry (blobs, symlinks and submodules; never trees). */
export type FlatTree = Map<string, { mode: Mode; sha: string }>;

export const ZERO_SHA = '0000000000000000000000000000000000000000';

function hashObject(type: string, body: Uint8Array): string {
  const header = Buffer.from(`${type} ${body.length}\0`);
  return createHash('sha1').update(header).update(body).digest('hex');
}

export function blobSha(bytes: Uint8Array): string {
  return hashObject('blob', bytes);
}

function signatureLine(sig: Signature): string {
  const seconds = Math.floor(Date.parse(sig.date) / 1000);
  return `${sig.name} <${sig.email}> ${seconds} +0000`;
}

/** Git sorts tree entries by name, with directories compared as if their name ended in `/`. */
function treeSortKey(entry: TreeEntry): string {
  return entry.mode === '040000' ? `${entry.name}/` : entry.name;
}

export class ObjectStore {
  private readonly objects = new Map<string, GitObject>();

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }

  has(sha: string): boolean {
    return this.objects.has(sha);
  }

  blob(sha: string): Blob | undefined {
    const o = this.objects.get(sha);
    return o?.type === 'blob' ? o : undefined;
  }

  tree(sha: string): Tree | undefined {
    const o = this.objects.get(sha);
    return o?.type === 'tree' ? o : undefined;
  }

  commit(sha: string): Commit | undefined {
    const o = this.objects.get(sha);
    return o?.type === 'commit' ? o : undefined;
  }

  /** Finds a full SHA from an abbreviation of at least 7 hex digits. */
  expand(prefix: string): string | undefined {
    if (!/^[0-9a-f]{7,40}$/.test(prefix)) return undefined;
    if (prefix.length === 40) return this.objects.has(prefix) ? prefix : undefined;
    for (const sha of this.objects.keys()) if (sha.startsWith(prefix)) return sha;
    return undefined;
  }

  putBlob(bytes: Uint8Array): string {
    const sha = blobSha(bytes);
    if (!this.objects.has(sha)) this.objects.set(sha, { type: 'blob', sha, bytes: Uint8Array.from(bytes) });
    return sha;
  }

  putTree(entries: readonly TreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => (treeSortKey(a) < treeSortKey(b) ? -1 : 1));
    const parts: Buffer[] = [];
    for (const e of sorted) {
      parts.push(Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`));
      parts.push(Buffer.from(e.sha, 'hex'));
    }
    const sha = hashObject('tree', Buffer.concat(parts));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: 'tree', sha, entries: sorted });
    return sha;
  }

  putCommit(c: Omit<Commit, 'type' | 'sha'>): string {
    const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
    lines.push(`author ${signatureLine(c.author)}`, `committer ${signatureLine(c.committer)}`, '', c.message);
    const sha = hashObject('commit', Buffer.from(lines.join('\n')));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: 'commit', sha, ...c });
    return sha;
  }

  /** Every file under a tree, with full paths. */
  flatten(treeSha: string, prefix = '', out: FlatTree = new Map()): FlatTree {
    const tree = this.tree(treeSha);
    if (!tree) throw new Error(`no tree ${treeSha}`);
    for (const e of tree.entries) {
      const path = prefix + e.name;
      if (e.type === 'tree') this.flatten(e.sha, `${path}/`, out);
      else out.set(path, { mode: e.mode, sha: e.sha });
    }
    return out;
  }

  /** The SHA of the tree at `path` (a directory) under a root tree, if there is one. */
  treeAt(treeSha: string, path: string): string | undefined {
    let sha: string | undefined = treeSha;
    for (const name of path.split('/')) {
      const entry: { type: string; sha: string } | undefined = sha
        ? this.tree(sha)?.entries.find((e) => e.name === name)
        : undefined;
      if (!entry || entry.type !== 'tree') return undefined;
      sha = entry.sha;
    }
    return sha;
  }

  /** Writes nested trees for a flat path map and returns the root tree SHA. */
  build(flat: FlatTree): string {
    type Dir = { files: Map<string, { mode: Mode; sha: string }>; dirs: Map<string, Dir> };
    const root: Dir = { files: new Map(), dirs: new Map() };
    for (const [path, entry] of flat) {
      const parts = path.split('/');
      let dir = root;
      for (const part of parts.slice(0, -1)) {
        let next = dir.dirs.get(part);
        if (!next) dir.dirs.set(part, (next = { files: new Map(), dirs: new Map() }));
        dir = next;
      }
      dir.files.set(parts[parts.length - 1]!, entry);
    }
    const write = (dir: Dir): string => {
      const entries: TreeEntry[] = [];
      for (const [name, e] of dir.files) {
        entries.push({ name, mode: e.mode, type: e.mode === '160000' ? 'commit' : 'blob', sha: e.sha });
      }
      for (const [name, sub] of dir.dirs)
        entries.push({ name, mode: '040000', type: 'tree', sha: write(sub) });
      return this.putTree(entries);
    };
    return write(root);
  }

  /** Ancestors of a commit including itself, nearest first (breadth-first). */
  ancestors(sha: string): string[] {
    const seen = new Set<string>([sha]);
    const order = [sha];
    for (let i = 0; i < order.length; i++) {
      for (const p of this.commit(order[i]!)?.parents ?? []) {
        if (!seen.has(p)) {
          seen.add(p);
          order.push(p);
        }
      }
    }
    return order;
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).includes(ancestor);
  }

  mergeBase(a: string, b: string): string | undefined {
    const ofA = new Set(this.ancestors(a));
    return this.ancestors(b).find((sha) => ofA.has(sha));
  }

  /** Commits reachable from `head` but not from `base`, oldest first (as compare lists them). */
  commitsBetween(base: string, head: string): string[] {
    const excluded = new Set(this.ancestors(base));
    return this.ancestors(head)
      .filter((sha) => !excluded.has(sha))
      .reverse();
  }
}

export interface FileChange {
  readonly filename: string;
  readonly status: 'added' | 'modified' | 'removed' | 'renamed';
  readonly previousFilename?: string;
  /** Blob SHA after the change (before it, for removed files). */
  readonly sha: string;
  readonly beforeSha?: string;
}

/** Files that differ between two flat trees, with exact renames detected as GitHub does. */
export function diffTrees(before: FlatTree, after: FlatTree): FileChange[] {
  const added: FileChange[] = [];
  const removed: FileChange[] = [];
  const changes: FileChange[] = [];
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (!old) added.push({ filename: path, status: 'added', sha: entry.sha });
    else if (old.sha !== entry.sha || old.mode !== entry.mode) {
      changes.push({ filename: path, status: 'modified', sha: entry.sha, beforeSha: old.sha });
    }
  }
  for (const [path, entry] of before) {
    if (!after.has(path))
      removed.push({ filename: path, status: 'removed', sha: entry.sha, beforeSha: entry.sha });
  }
  for (const a of added) {
    const i = removed.findIndex((r) => r.sha === a.sha);
    if (i >= 0) {
      const [r] = removed.splice(i, 1);
      changes.push({
        filename: a.filename,
        status: 'renamed',
        previousFilename: r!.filename,
        sha: a.sha,
        beforeSha: r!.sha,
      });
    } else changes.push(a);
  }
  changes.push(...removed);
  return changes.sort((x, y) => (x.filename < y.filename ? -1 : x.filename > y.filename ? 1 : 0));
}
