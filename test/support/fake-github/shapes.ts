/** JSON shapes of GitHub REST responses, built from fake state (fields code reads, plus the usual URLs). */
import type { Commit } from './git.js';
import type {
  CheckRunState,
  CommentState,
  FakeState,
  FakeUser,
  PullFile,
  PullState,
  RepoState,
  ReviewState,
} from './state.js';

export class Shapes {
  constructor(
    private readonly state: FakeState,
    private readonly api: () => string,
  ) {}

  private get web(): string {
    return 'https://github.com';
  }

  user(login: string | FakeUser): Record<string, unknown> {
    const u = typeof login === 'string' ? this.state.ensureUser(login) : login;
    return {
      login: u.login,
      id: u.id,
      node_id: `U_${u.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
      gravatar_id: '',
      url: `${this.api()}/users/${u.login}`,
      html_url: `${this.web}/${u.login}`,
      type: u.type,
      site_admin: false,
    };
  }

  repo(r: RepoState, withParent = true): Record<string, unknown> {
    const full = `${r.owner}/${r.name}`;
    return {
      id: r.id,
      node_id: `R_${r.id}`,
      name: r.name,
      full_name: full,
      private: r.private,
      owner: this.user(r.owner),
      html_url: `${this.web}/${full}`,
      description: null,
      fork: Boolean(r.parent),
      url: `${this.api()}/repos/${full}`,
      clone_url: `${this.web}/${full}.git`,
      default_branch: r.defaultBranch,
      visibility: r.private ? 'private' : 'public',
      archived: false,
      disabled: false,
      ...(withParent && r.parent
        ? { parent: this.repo(r.parent, false), source: this.repo(root(r), false) }
        : {}),
    };
  }

  gitCommit(r: RepoState, c: Commit): Record<string, unknown> {
    const full = `${r.owner}/${r.name}`;
    return {
      sha: c.sha,
      node_id: `C_${c.sha}`,
      url: `${this.api()}/repos/${full}/git/commits/${c.sha}`,
      html_url: `${this.web}/${full}/commit/${c.sha}`,
      author: c.author,
      committer: c.committer,
      tree: { sha: c.tree, url: `${this.api()}/repos/${full}/git/trees/${c.tree}` },
      message: c.message,
      parents: c.parents.map((p) => ({
        sha: p,
        url: `${this.api()}/repos/${full}/git/commits/${p}`,
        html_url: `${this.web}/${full}/commit/${p}`,
      })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  /** The `repos` commit shape (compare, list commits, get commit): git data nested under `commit`, users outside. */
  repoCommit(r: RepoState, c: Commit): Record<string, unknown> {
    const full = `${r.owner}/${r.name}`;
    const git = this.gitCommit(r, c);
    return {
      sha: c.sha,
      node_id: `C_${c.sha}`,
      url: `${this.api()}/repos/${full}/commits/${c.sha}`,
      html_url: `${this.web}/${full}/commit/${c.sha}`,
      commit: {
        author: c.author,
        committer: c.committer,
        message: c.message,
        tree: git['tree'],
        url: git['url'],
        comment_count: 0,
        verification: git['verification'],
      },
      author: c.authorLogin ? this.user(c.authorLogin) : null,
      committer: c.committerLogin ? this.user(c.committerLogin) : null,
      parents: git['parents'],
    };
  }

  file(r: RepoState, f: PullFile, ref: string): Record<string, unknown> {
    const full = `${r.owner}/${r.name}`;
    return {
      sha: f.sha,
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      blob_url: `${this.web}/${full}/blob/${ref}/${f.filename}`,
      raw_url: `${this.web}/${full}/raw/${ref}/${f.filename}`,
      contents_url: `${this.api()}/repos/${full}/contents/${f.filename}?ref=${ref}`,
      ...(f.patch !== undefined ? { patch: f.patch } : {}),
      ...(f.previousFilename ? { previous_filename: f.previousFilename } : {}),
    };
  }

  pull(p: PullState, detailed: boolean): Record<string, unknown> {
    const full = `${p.repo.owner}/${p.repo.name}`;
    const headSha = this.state.pullHeadSha(p);
    const baseSha = p.closedBaseSha ?? p.repo.refs.get(`refs/heads/${p.base}`) ?? null;
    const out: Record<string, unknown> = {
      url: `${this.api()}/repos/${full}/pulls/${p.number}`,
      id: p.id,
      node_id: `PR_${p.id}`,
      html_url: `${this.web}/${full}/pull/${p.number}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: this.user(p.user),
      body: p.body,
      labels: p.labels.map((name) => this.label(p.repo, name)),
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      closed_at: p.closedAt,
      merged_at: p.mergedAt,
      merge_commit_sha: p.mergeCommitSha,
      draft: p.draft,
      head: {
        label: `${p.headRepo.owner}:${p.headRef}`,
        ref: p.headRef,
        sha: headSha,
        user: this.user(p.headRepo.owner),
        repo: p.headDeleted && p.headRepo !== p.repo ? null : this.repo(p.headRepo),
      },
      base: {
        label: `${p.repo.owner}:${p.base}`,
        ref: p.base,
        sha: baseSha,
        user: this.user(p.repo.owner),
        repo: this.repo(p.repo),
      },
      author_association: p.repo.owner === p.user ? 'OWNER' : 'CONTRIBUTOR',
    };
    if (detailed) {
      const files = this.state.pullFiles(p);
      Object.assign(out, {
        merged: p.merged,
        mergeable: p.state === 'open' ? true : null,
        merged_by: p.mergedBy ? this.user(p.mergedBy) : null,
        commits: baseSha ? this.state.git.commitsBetween(baseSha, headSha).length : 0,
        additions: files.reduce((n, f) => n + f.additions, 0),
        deletions: files.reduce((n, f) => n + f.deletions, 0),
        changed_files: files.length,
        maintainer_can_modify: false,
      });
    }
    return out;
  }

  label(r: RepoState, name: string): Record<string, unknown> {
    const l = r.labels.get(name.toLowerCase()) ?? { id: 0, name, color: 'ededed' };
    return {
      id: l.id,
      node_id: `L_${l.id}`,
      name: l.name,
      color: l.color,
      default: false,
      description: null,
    };
  }

  comment(c: CommentState): Record<string, unknown> {
    const full = `${c.repo.owner}/${c.repo.name}`;
    const counts: Record<string, number> = {
      '+1': 0,
      '-1': 0,
      laugh: 0,
      confused: 0,
      heart: 0,
      hooray: 0,
      rocket: 0,
      eyes: 0,
    };
    for (const r of c.reactions) counts[r.content] = (counts[r.content] ?? 0) + 1;
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.api()}/repos/${full}/issues/comments/${c.id}`,
      html_url: `${this.web}/${full}/issues/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${this.api()}/repos/${full}/issues/${c.issueNumber}`,
      body: c.body,
      user: this.user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.repo.owner === c.user ? 'OWNER' : 'NONE',
      reactions: { total_count: c.reactions.length, ...counts },
    };
  }

  review(r: ReviewState): Record<string, unknown> {
    const full = `${r.repo.owner}/${r.repo.name}`;
    return {
      id: r.id,
      node_id: `PRR_${r.id}`,
      user: this.user(r.user),
      body: r.body,
      state: r.state,
      commit_id: r.commitId,
      submitted_at: r.submittedAt ?? undefined,
      html_url: `${this.web}/${full}/pull/${r.pullNumber}#pullrequestreview-${r.id}`,
      pull_request_url: `${this.api()}/repos/${full}/pulls/${r.pullNumber}`,
    };
  }

  reviewComment(r: ReviewState, c: ReviewState['comments'][number]): Record<string, unknown> {
    return {
      id: c.id,
      pull_request_review_id: r.id,
      path: c.path,
      line: c.line,
      start_line: c.startLine,
      side: c.side,
      position: c.position,
      body: c.body,
      commit_id: c.commitId,
      user: this.user(c.user),
    };
  }

  checkRun(c: CheckRunState): Record<string, unknown> {
    const full = `${c.repo.owner}/${c.repo.name}`;
    return {
      id: c.id,
      node_id: `CR_${c.id}`,
      name: c.name,
      head_sha: c.headSha,
      status: c.status,
      conclusion: c.conclusion,
      started_at: c.startedAt,
      completed_at: c.completedAt,
      details_url: c.detailsUrl,
      external_id: c.externalId,
      url: `${this.api()}/repos/${full}/check-runs/${c.id}`,
      html_url: `${this.web}/${full}/runs/${c.id}`,
      output: {
        ...c.output,
        annotations_count: c.annotations.length,
        annotations_url: `${this.api()}/repos/${full}/check-runs/${c.id}/annotations`,
      },
      app: { id: this.state.app.id, slug: this.state.app.slug, name: this.state.app.name },
      pull_requests: [],
    };
  }
}

function root(r: RepoState): RepoState {
  let top = r;
  while (top.parent) top = top.parent;
  return top;
}
