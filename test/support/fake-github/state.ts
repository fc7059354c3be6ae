/** State of the fake GitHub: users, repositories, pull requests, comments, check runs, installations. */
import { structuredPatch } from 'diff';
import { diffTrees, ObjectStore, type FileChange, type FlatTree } from './git.js';

export interface FakeUser {
  readonly login: string;
  readonly id: number;
  readonly type: 'User' | 'Bot' | 'Organization';
  readonly name: string;
  readonly email: string;
}

/** Repository roles; anything else is a custom role built on `base`. */
export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface RepoState {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  defaultBranch: string;
  readonly private: boolean;
  /** The repository this one is a fork of. */
  readonly parent?: RepoState;
  /** Full ref name (`refs/heads/main`) → commit SHA. */
  readonly refs: Map<string, string>;
  /** login → role name (built-in or custom) and the built-in role it is based on. */
  readonly roles: Map<string, { roleName: string; base: Role }>;
  readonly labels: Map<string, { id: number; name: string; color: string }>;
  nextNumber: number;
}

export interface PullState {
  readonly number: number;
  readonly id: number;
  readonly repo: RepoState;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  readonly user: string;
  base: string;
  readonly headRepo: RepoState;
  readonly headRef: string;
  /** Head SHA last seen (the branch may be gone). */
  headSha: string;
  /** Base SHA when the pull request was merged or closed (its files stay as they were). */
  closedBaseSha?: string;
  headDeleted: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  readonly createdAt: string;
  updatedAt: string;
  labels: string[];
}

export interface IssueState {
  readonly number: number;
  readonly id: number;
  readonly repo: RepoState;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  readonly user: string;
  labels: string[];
}

export interface CommentState {
  readonly id: number;
  readonly repo: RepoState;
  readonly issueNumber: number;
  body: string;
  readonly user: string;
  readonly createdAt: string;
  updatedAt: string;
  readonly reactions: { id: number; content: string; user: string; createdAt: string }[];
}

export interface ReviewCommentState {
  readonly id: number;
  readonly reviewId: number;
  readonly path: string;
  readonly line: number | null;
  readonly startLine: number | null;
  readonly side: 'LEFT' | 'RIGHT';
  readonly position: number | null;
  readonly body: string;
  readonly user: string;
  readonly commitId: string;
  /** The diff hunk the comment is on, as GitHub shows it with the comment. */
  readonly diffHunk: string;
}

export interface ReviewState {
  readonly id: number;
  readonly repo: RepoState;
  readonly pullNumber: number;
  readonly user: string;
  readonly body: string;
  state: 'PENDING' | 'COMMENTED' | 'APPROVED' | 'CHANGES_REQUESTED';
  readonly commitId: string;
  readonly submittedAt: string | null;
  readonly comments: ReviewCommentState[];
}

export interface AnnotationState {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly start_column?: number;
  readonly end_column?: number;
  readonly annotation_level: 'notice' | 'warning' | 'failure';
  readonly message: string;
  readonly title?: string;
  readonly raw_details?: string;
}

export interface CheckRunState {
  readonly id: number;
  readonly repo: RepoState;
  name: string;
  readonly headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  readonly annotations: AnnotationState[];
  detailsUrl: string | null;
  externalId: string | null;
  /** Requests that created or updated this run. */
  writes: number;
}

export interface InstallationState {
  readonly id: number;
  readonly account: string;
  /** `all`, or the lower-cased full names of the selected repositories. */
  readonly repositories: 'all' | Set<string>;
}

export type Identity =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'app' }
  | { readonly kind: 'installation'; readonly installationId: number; readonly login: string }
  | { readonly kind: 'user'; readonly login: string };

export interface PullFile extends FileChange {
  readonly additions: number;
  readonly deletions: number;
  readonly patch?: string;
  /** Lines of the diff per side (for review comment validation). */
  readonly rightLines: ReadonlySet<number>;
  readonly leftLines: ReadonlySet<number>;
  /** Number of lines of `patch` (valid `position` values are 1..this). */
  readonly patchLines: number;
}

export class FakeState {
  readonly git = new ObjectStore();
  readonly users = new Map<string, FakeUser>();
  readonly repos = new Map<string, RepoState>();
  readonly pulls: PullState[] = [];
  readonly issues: IssueState[] = [];
  readonly comments = new Map<number, CommentState>();
  readonly reviews: ReviewState[] = [];
  readonly checkRuns = new Map<number, CheckRunState>();
  readonly installations = new Map<number, InstallationState>();
  readonly tokens = new Map<string, Identity>();
  private nextIdValue = 1000;
  /** Fake clock: advances one second per write so dates are distinct and ordered. */
  private clock = Date.parse('2024-01-01T00:00:00Z');

  /** The account that owns the app (an organization). */
  readonly appOwner: string;

  constructor(
    readonly app: { id: number; slug: string; name: string },
    readonly botLogin: string,
  ) {
    this.appOwner = `${app.slug}-maker`;
    this.ensureUser(this.appOwner, 'Organization');
  }

  nextId(): number {
    return this.nextIdValue++;
  }

  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  ensureUser(login: string, type: FakeUser['type'] = login.endsWith('[bot]') ? 'Bot' : 'User'): FakeUser {
    const key = login.toLowerCase();
    let user = this.users.get(key);
    if (!user) {
      const id = this.nextId();
      user = { login, id, type, name: login, email: `${id}+${login}@users.noreply.github.com` };
      this.users.set(key, user);
    }
    return user;
  }

  userByEmail(email: string): FakeUser | undefined {
    for (const u of this.users.values()) if (u.email.toLowerCase() === email.toLowerCase()) return u;
    return undefined;
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoByFullName(fullName: string): RepoState {
    const [owner, name] = fullName.split('/');
    const r = owner && name ? this.repo(owner, name) : undefined;
    if (!r) throw new Error(`fake-github: no repository ${fullName}`);
    return r;
  }

  /** Every repository of a fork network (the root and all forks). */
  network(repo: RepoState): RepoState[] {
    let root = repo;
    while (root.parent) root = root.parent;
    return [...this.repos.values()].filter((r) => {
      let top = r;
      while (top.parent) top = top.parent;
      return top === root;
    });
  }

  /** A SHA, an abbreviated SHA, a branch, `heads/<b>`, `refs/heads/<b>` or a tag → commit SHA. */
  resolveCommitish(repo: RepoState, name: string): string | undefined {
    const byBranch =
      repo.refs.get(`refs/heads/${name}`) ??
      repo.refs.get(`refs/tags/${name}`) ??
      repo.refs.get(`refs/${name}`);
    if (byBranch) return byBranch;
    const sha = this.git.expand(name.toLowerCase());
    return sha && this.git.commit(sha) ? sha : undefined;
  }

  flatTreeOf(commitSha: string): FlatTree {
    const commit = this.git.commit(commitSha);
    if (!commit) throw new Error(`no commit ${commitSha}`);
    return this.git.flatten(commit.tree);
  }

  /** Files changed between the merge base of two commits and `head`, as compare and pull request files list them. */
  filesBetween(base: string, head: string): PullFile[] {
    const mergeBase = this.git.mergeBase(base, head);
    const before = mergeBase ? this.flatTreeOf(mergeBase) : new Map();
    const after = this.flatTreeOf(head);
    return diffTrees(before, after).map((change) => this.withPatch(change));
  }

  /** Files a commit changed against its first parent (a root commit adds every file). */
  commitFiles(sha: string): PullFile[] {
    const parent = this.git.commit(sha)?.parents[0];
    const before: FlatTree = parent ? this.flatTreeOf(parent) : new Map();
    return diffTrees(before, this.flatTreeOf(sha)).map((change) => this.withPatch(change));
  }

  private withPatch(change: FileChange): PullFile {
    const oldBytes =
      change.status === 'added' ? new Uint8Array() : this.git.blob(change.beforeSha ?? '')?.bytes;
    const newBytes = change.status === 'removed' ? new Uint8Array() : this.git.blob(change.sha)?.bytes;
    const empty = {
      additions: 0,
      deletions: 0,
      rightLines: new Set<number>(),
      leftLines: new Set<number>(),
      patchLines: 0,
    };
    if (!oldBytes || !newBytes || isBinary(oldBytes) || isBinary(newBytes)) return { ...change, ...empty };
    const oldText = Buffer.from(oldBytes).toString('utf8');
    const newText = Buffer.from(newBytes).toString('utf8');
    if (oldText === newText) return { ...change, ...empty };
    const patch = structuredPatch('a', 'b', oldText, newText, '', '', { context: 3 });
    const out: string[] = [];
    const rightLines = new Set<number>();
    const leftLines = new Set<number>();
    let additions = 0;
    let deletions = 0;
    for (const hunk of patch.hunks) {
      out.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
      let oldLine = hunk.oldStart;
      let newLine = hunk.newStart;
      for (const line of hunk.lines) {
        out.push(line);
        if (line.startsWith('+')) {
          rightLines.add(newLine++);
          additions++;
        } else if (line.startsWith('-')) {
          leftLines.add(oldLine++);
          deletions++;
        } else if (line.startsWith(' ')) {
          rightLines.add(newLine++);
          leftLines.add(oldLine++);
        }
      }
    }
    return {
      ...change,
      additions,
      deletions,
      patch: out.join('\n'),
      rightLines,
      leftLines,
      patchLines: out.length,
    };
  }

  /** The files of a pull request: merge base of base and head, against head. */
  pullFiles(pull: PullState): PullFile[] {
    const baseSha = pull.closedBaseSha ?? pull.repo.refs.get(`refs/heads/${pull.base}`);
    if (!baseSha) return [];
    return this.filesBetween(baseSha, this.pullHeadSha(pull));
  }

  pullHeadSha(pull: PullState): string {
    const live = pull.headDeleted ? undefined : pull.headRepo.refs.get(`refs/heads/${pull.headRef}`);
    if (live && pull.state === 'open') pull.headSha = live;
    return pull.headSha;
  }

  /** After a branch moves: close pull requests whose head was deleted, mark merged those whose head is now in their base. */
  onRefChanged(repo: RepoState, ref: string, sha: string | undefined): void {
    if (!ref.startsWith('refs/heads/')) return;
    const branch = ref.slice('refs/heads/'.length);
    for (const pull of this.pulls) {
      // A closed pull request's head branch can go too: GitHub then offers "Restore branch", not "Reopen".
      if (sha === undefined && pull.state === 'closed' && pull.headRepo === repo && pull.headRef === branch)
        pull.headDeleted = true;
      if (pull.state !== 'open') continue;
      if (sha === undefined && pull.headRepo === repo && pull.headRef === branch) {
        pull.closedBaseSha = pull.repo.refs.get(`refs/heads/${pull.base}`);
        pull.state = 'closed';
        pull.headDeleted = true;
        pull.closedAt = pull.updatedAt = this.now();
      }
      if (sha !== undefined && pull.repo === repo && pull.base === branch) {
        const head = this.pullHeadSha(pull);
        if (this.git.isAncestor(head, sha)) {
          pull.closedBaseSha = this.git.commit(sha)?.parents[0] ?? sha;
          pull.state = 'closed';
          pull.merged = true;
          pull.mergedAt = pull.closedAt = pull.updatedAt = this.now();
          pull.mergeCommitSha = sha;
        }
      }
    }
  }

  /** Permission of a user on a repository: custom roles report their base role as `permission`. */
  roleOf(repo: RepoState, login: string): { roleName: string; base: Role } {
    const explicit = repo.roles.get(login.toLowerCase());
    if (explicit) return explicit;
    if (repo.owner.toLowerCase() === login.toLowerCase()) return { roleName: 'admin', base: 'admin' };
    return repo.private ? { roleName: 'none', base: 'none' } : { roleName: 'read', base: 'read' };
  }

  installationFor(repo: RepoState): InstallationState | undefined {
    for (const inst of this.installations.values()) {
      if (inst.account.toLowerCase() !== repo.owner.toLowerCase()) continue;
      if (inst.repositories === 'all' || inst.repositories.has(`${repo.owner}/${repo.name}`.toLowerCase()))
        return inst;
    }
    return undefined;
  }
}

function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}
