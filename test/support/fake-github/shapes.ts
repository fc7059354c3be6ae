/**
 * JSON shapes of GitHub REST responses, built from fake state. Each is complete against its schema in
 * GitHub's OpenAPI description (every required field, nullable fields as null): the fake's responses are
 * validated against it (./contract.ts), so code that reads a field GitHub sends finds it here too.
 */
import type { Commit } from './git.js';
import type {
  AnnotationState,
  CheckRunState,
  CommentState,
  FakeState,
  FakeUser,
  InstallationState,
  PullFile,
  PullState,
  RepoState,
  ReviewState,
} from './state.js';

/** When the fake's repositories and users were created (the state clock starts after it). */
const EPOCH = '2023-12-31T00:00:00Z';
const WEB = 'https://github.com';

/** The app's permissions and events, as registered from app.yml. */
export const APP_PERMISSIONS = {
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  checks: 'write',
  metadata: 'read',
} as const;
export const APP_EVENTS = [
  'push',
  'pull_request',
  'issue_comment',
  'installation',
  'installation_repositories',
];

export class Shapes {
  constructor(
    private readonly state: FakeState,
    private readonly api: () => string,
  ) {}

  /** The API root URLs start with (`http://127.0.0.1:port`, plus `/api/v3` when served as GHES). */
  get apiUrl(): string {
    return this.api();
  }

  /** A user or bot as `simple-user`. Logins go into URLs escaped (`docs-fix%5Bbot%5D`), as GitHub does. */
  user(login: string | FakeUser): Record<string, unknown> {
    const u = typeof login === 'string' ? this.state.ensureUser(login) : login;
    const api = `${this.api()}/users/${encodeURIComponent(u.login)}`;
    return {
      login: u.login,
      id: u.id,
      node_id: `U_${u.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
      gravatar_id: '',
      url: api,
      // A bot's page is its app's.
      html_url:
        u.type === 'Bot'
          ? `${WEB}/apps/${encodeURIComponent(u.login.replace(/\[bot\]$/, ''))}`
          : `${WEB}/${u.login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: u.type,
      user_view_type: 'public',
      site_admin: false,
    };
  }

  /** `GET /user`: the authenticated user (`private-user`). */
  authenticatedUser(login: string): Record<string, unknown> {
    const u = this.state.ensureUser(login);
    return {
      ...this.user(u),
      name: u.name,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: [...this.state.repos.values()].filter((r) => r.owner === u.login && !r.private).length,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: EPOCH,
      updated_at: EPOCH,
      private_gists: 0,
      total_private_repos: [...this.state.repos.values()].filter((r) => r.owner === u.login && r.private)
        .length,
      owned_private_repos: [...this.state.repos.values()].filter((r) => r.owner === u.login && r.private)
        .length,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: true,
    };
  }

  /** The app (`integration`), as `GET /app` and check runs show it. */
  app(): Record<string, unknown> {
    const { id, slug, name } = this.state.app;
    return {
      id,
      slug,
      node_id: `A_${id}`,
      client_id: `Iv1.${id.toString(16).padStart(16, '0')}`,
      owner: this.user(this.state.appOwner),
      name,
      description: 'Copy-edits markdown documentation with a language model.',
      external_url: `${WEB}/docs-fix/docs-fix`,
      html_url: `${WEB}/apps/${slug}`,
      created_at: EPOCH,
      updated_at: EPOCH,
      permissions: { ...APP_PERMISSIONS },
      events: [...APP_EVENTS],
    };
  }

  installation(inst: InstallationState): Record<string, unknown> {
    const account = this.state.ensureUser(inst.account);
    return {
      id: inst.id,
      account: this.user(account),
      repository_selection: inst.repositories === 'all' ? 'all' : 'selected',
      access_tokens_url: `${this.api()}/app/installations/${inst.id}/access_tokens`,
      repositories_url: `${this.api()}/installation/repositories`,
      html_url: `${WEB}/settings/installations/${inst.id}`,
      app_id: this.state.app.id,
      app_slug: this.state.app.slug,
      target_id: account.id,
      target_type: account.type,
      permissions: { ...APP_PERMISSIONS },
      events: [...APP_EVENTS],
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      created_at: EPOCH,
      updated_at: EPOCH,
      suspended_by: null,
      suspended_at: null,
    };
  }

  /** A repository (`repository`, and `full-repository` for `GET /repos/{owner}/{repo}`). */
  repo(r: RepoState, withParent = true): Record<string, unknown> {
    const full = `${r.owner}/${r.name}`;
    const api = `${this.api()}/repos/${full}`;
    const head = r.refs.get(`refs/heads/${r.defaultBranch}`);
    const pushedAt = head ? (this.state.git.commit(head)?.committer.date ?? EPOCH) : EPOCH;
    const openPulls = this.state.pulls.filter((p) => p.repo === r && p.state === 'open').length;
    return {
      id: r.id,
      node_id: `R_${r.id}`,
      name: r.name,
      full_name: full,
      private: r.private,
      owner: this.user(r.owner),
      html_url: `${WEB}/${full}`,
      description: null,
      fork: Boolean(r.parent),
      url: api,
      archive_url: `${api}/{archive_format}{/ref}`,
      assignees_url: `${api}/assignees{/user}`,
      blobs_url: `${api}/git/blobs{/sha}`,
      branches_url: `${api}/branches{/branch}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      comments_url: `${api}/comments{/number}`,
      commits_url: `${api}/commits{/sha}`,
      compare_url: `${api}/compare/{base}...{head}`,
      contents_url: `${api}/contents/{+path}`,
      contributors_url: `${api}/contributors`,
      deployments_url: `${api}/deployments`,
      downloads_url: `${api}/downloads`,
      events_url: `${api}/events`,
      forks_url: `${api}/forks`,
      git_commits_url: `${api}/git/commits{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_url: `git://github.com/${full}.git`,
      hooks_url: `${api}/hooks`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      issue_events_url: `${api}/issues/events{/number}`,
      issues_url: `${api}/issues{/number}`,
      keys_url: `${api}/keys{/key_id}`,
      labels_url: `${api}/labels{/name}`,
      languages_url: `${api}/languages`,
      merges_url: `${api}/merges`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      pulls_url: `${api}/pulls{/number}`,
      releases_url: `${api}/releases{/id}`,
      ssh_url: `git@github.com:${full}.git`,
      stargazers_url: `${api}/stargazers`,
      statuses_url: `${api}/statuses/{sha}`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      tags_url: `${api}/tags`,
      teams_url: `${api}/teams`,
      trees_url: `${api}/git/trees{/sha}`,
      clone_url: `${WEB}/${full}.git`,
      mirror_url: null,
      svn_url: `${WEB}/${full}`,
      homepage: null,
      language: null,
      forks_count: 0,
      forks: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      subscribers_count: 0,
      network_count: 0,
      size: 0,
      default_branch: r.defaultBranch,
      open_issues_count: openPulls,
      open_issues: openPulls,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: r.private ? 'private' : 'public',
      pushed_at: pushedAt,
      created_at: EPOCH,
      updated_at: pushedAt,
      allow_forking: true,
      web_commit_signoff_required: false,
      license: null,
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
      html_url: `${WEB}/${full}/commit/${c.sha}`,
      author: c.author,
      committer: c.committer,
      tree: { sha: c.tree, url: `${this.api()}/repos/${full}/git/trees/${c.tree}` },
      message: c.message,
      parents: c.parents.map((p) => ({
        sha: p,
        url: `${this.api()}/repos/${full}/git/commits/${p}`,
        html_url: `${WEB}/${full}/commit/${p}`,
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
      html_url: `${WEB}/${full}/commit/${c.sha}`,
      comments_url: `${this.api()}/repos/${full}/commits/${c.sha}/comments`,
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

  /** A changed file (`diff-entry`) of a compare, a commit or a pull request. */
  file(r: RepoState, f: PullFile, ref: string): Record<string, unknown> {
    const full = `${r.owner}/${r.name}`;
    const path = encodePath(f.filename);
    return {
      sha: f.sha,
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      blob_url: `${WEB}/${full}/blob/${ref}/${path}`,
      raw_url: `${WEB}/${full}/raw/${ref}/${path}`,
      contents_url: `${this.api()}/repos/${full}/contents/${path}?ref=${ref}`,
      ...(f.patch !== undefined ? { patch: f.patch } : {}),
      ...(f.previousFilename ? { previous_filename: f.previousFilename } : {}),
    };
  }

  /** A file or directory entry of the contents API (`content-file`, or an item of `content-directory`). */
  contentEntry(
    r: RepoState,
    entry: { type: 'file' | 'dir'; path: string; sha: string; size: number },
    ref: string,
  ): Record<string, unknown> {
    const full = `${r.owner}/${r.name}`;
    const path = encodePath(entry.path);
    const self = `${this.api()}/repos/${full}/contents/${path}?ref=${encodeURIComponent(ref)}`;
    const git = `${this.api()}/repos/${full}/git/${entry.type === 'dir' ? 'trees' : 'blobs'}/${entry.sha}`;
    const html = `${WEB}/${full}/${entry.type === 'dir' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${path}`;
    return {
      type: entry.type,
      size: entry.size,
      name: entry.path.split('/').pop(),
      path: entry.path,
      sha: entry.sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url:
        entry.type === 'file'
          ? `https://raw.githubusercontent.com/${full}/${encodeURIComponent(ref)}/${path}`
          : null,
      _links: { self, git, html },
    };
  }

  pull(p: PullState, detailed: boolean): Record<string, unknown> {
    const full = `${p.repo.owner}/${p.repo.name}`;
    const api = `${this.api()}/repos/${full}`;
    const headSha = this.state.pullHeadSha(p);
    const baseSha = p.closedBaseSha ?? p.repo.refs.get(`refs/heads/${p.base}`) ?? null;
    const url = `${api}/pulls/${p.number}`;
    const html = `${WEB}/${full}/pull/${p.number}`;
    const link = (href: string): { href: string } => ({ href });
    const out: Record<string, unknown> = {
      url,
      id: p.id,
      node_id: `PR_${p.id}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${p.number}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${p.number}/comments`,
      statuses_url: `${api}/statuses/${headSha}`,
      number: p.number,
      state: p.state,
      locked: false,
      active_lock_reason: null,
      title: p.title,
      user: this.user(p.user),
      body: p.body,
      labels: p.labels.map((name) => this.label(p.repo, name)),
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
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
        // GitHub answers null once a fork that was the head is gone (see ./contract.ts: ERRATA).
        repo: p.headDeleted && p.headRepo !== p.repo ? null : this.repo(p.headRepo, false),
      },
      base: {
        label: `${p.repo.owner}:${p.base}`,
        ref: p.base,
        sha: baseSha,
        user: this.user(p.repo.owner),
        repo: this.repo(p.repo, false),
      },
      _links: {
        self: link(url),
        html: link(html),
        issue: link(`${api}/issues/${p.number}`),
        comments: link(`${api}/issues/${p.number}/comments`),
        review_comments: link(`${url}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${url}/commits`),
        statuses: link(`${api}/statuses/${headSha}`),
      },
      author_association: p.repo.owner === p.user ? 'OWNER' : 'CONTRIBUTOR',
      auto_merge: null,
    };
    if (detailed) {
      const files = this.state.pullFiles(p);
      const comments = [...this.state.comments.values()].filter(
        (c) => c.repo === p.repo && c.issueNumber === p.number,
      ).length;
      const reviewComments = this.state.reviews
        .filter((r) => r.repo === p.repo && r.pullNumber === p.number && r.state !== 'PENDING')
        .reduce((n, r) => n + r.comments.length, 0);
      Object.assign(out, {
        merged: p.merged,
        mergeable: p.state === 'open' ? true : null,
        rebaseable: p.state === 'open' ? true : null,
        mergeable_state: p.state === 'open' ? 'clean' : 'unknown',
        merged_by: p.mergedBy ? this.user(p.mergedBy) : null,
        comments,
        review_comments: reviewComments,
        maintainer_can_modify: false,
        commits: baseSha ? this.state.git.commitsBetween(baseSha, headSha).length : 0,
        additions: files.reduce((n, f) => n + f.additions, 0),
        deletions: files.reduce((n, f) => n + f.deletions, 0),
        changed_files: files.length,
      });
    }
    return out;
  }

  /** A pull request as the issues API shows it (`issue` with `pull_request`). */
  pullAsIssue(p: PullState): Record<string, unknown> {
    const pull = this.pull(p, false);
    return {
      ...this.issueFields(p.repo, {
        id: p.id,
        number: p.number,
        title: p.title,
        body: p.body,
        state: p.state,
        user: p.user,
        labels: p.labels,
        closedAt: p.closedAt,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
      }),
      pull_request: {
        url: pull['url'],
        html_url: pull['html_url'],
        diff_url: pull['diff_url'],
        patch_url: pull['patch_url'],
        merged_at: p.mergedAt,
      },
      draft: p.draft,
    };
  }

  issueFields(
    r: RepoState,
    i: {
      id: number;
      number: number;
      title: string;
      body: string | null;
      state: string;
      user: string;
      labels: readonly string[];
      closedAt?: string | null;
      createdAt?: string;
      updatedAt?: string;
    },
  ): Record<string, unknown> {
    const full = `${r.owner}/${r.name}`;
    const url = `${this.api()}/repos/${full}/issues/${i.number}`;
    return {
      id: i.id,
      node_id: `I_${i.id}`,
      url,
      repository_url: `${this.api()}/repos/${full}`,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${WEB}/${full}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      title: i.title,
      body: i.body,
      user: this.user(i.user),
      labels: i.labels.map((l) => this.label(r, l)),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: [...this.state.comments.values()].filter((c) => c.repo === r && c.issueNumber === i.number)
        .length,
      closed_at: i.closedAt ?? null,
      created_at: i.createdAt ?? EPOCH,
      updated_at: i.updatedAt ?? EPOCH,
      author_association: r.owner === i.user ? 'OWNER' : 'NONE',
    };
  }

  label(r: RepoState, name: string): Record<string, unknown> {
    const l = r.labels.get(name.toLowerCase()) ?? { id: 0, name, color: 'ededed' };
    return {
      id: l.id,
      node_id: `L_${l.id}`,
      url: `${this.api()}/repos/${r.owner}/${r.name}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color,
      default: false,
      description: null,
    };
  }

  comment(c: CommentState): Record<string, unknown> {
    const full = `${c.repo.owner}/${c.repo.name}`;
    const url = `${this.api()}/repos/${full}/issues/comments/${c.id}`;
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
      url,
      html_url: `${WEB}/${full}/issues/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${this.api()}/repos/${full}/issues/${c.issueNumber}`,
      body: c.body,
      user: this.user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.repo.owner === c.user ? 'OWNER' : 'NONE',
      // A comment an app's installation wrote says which app: how GitHub tells the bot's own comments apart.
      performed_via_github_app: c.user === this.state.botLogin ? this.app() : null,
      reactions: { url: `${url}/reactions`, total_count: c.reactions.length, ...counts },
    };
  }

  reaction(r: { id: number; content: string; user: string; createdAt: string }): Record<string, unknown> {
    return {
      id: r.id,
      node_id: `REA_${r.id}`,
      user: this.user(r.user),
      content: r.content,
      created_at: r.createdAt,
    };
  }

  review(r: ReviewState): Record<string, unknown> {
    const full = `${r.repo.owner}/${r.repo.name}`;
    const html = `${WEB}/${full}/pull/${r.pullNumber}#pullrequestreview-${r.id}`;
    const pullUrl = `${this.api()}/repos/${full}/pulls/${r.pullNumber}`;
    return {
      id: r.id,
      node_id: `PRR_${r.id}`,
      user: this.user(r.user),
      body: r.body,
      state: r.state,
      commit_id: r.commitId,
      // A pending review has not been submitted: GitHub leaves the field out.
      ...(r.submittedAt ? { submitted_at: r.submittedAt } : {}),
      html_url: html,
      pull_request_url: pullUrl,
      _links: { html: { href: html }, pull_request: { href: pullUrl } },
      author_association: r.repo.owner === r.user ? 'OWNER' : 'NONE',
    };
  }

  reviewComment(r: ReviewState, c: ReviewState['comments'][number]): Record<string, unknown> {
    const full = `${r.repo.owner}/${r.repo.name}`;
    const url = `${this.api()}/repos/${full}/pulls/comments/${c.id}`;
    const html = `${WEB}/${full}/pull/${r.pullNumber}#discussion_r${c.id}`;
    const pullUrl = `${this.api()}/repos/${full}/pulls/${r.pullNumber}`;
    return {
      url,
      id: c.id,
      node_id: `PRRC_${c.id}`,
      pull_request_review_id: r.id,
      diff_hunk: c.diffHunk,
      path: c.path,
      line: c.line,
      original_line: c.line,
      start_line: c.startLine,
      original_start_line: c.startLine,
      side: c.side,
      start_side: c.startLine === null ? null : c.side,
      position: c.position,
      original_position: c.position,
      body: c.body,
      commit_id: c.commitId,
      original_commit_id: c.commitId,
      user: this.user(c.user),
      created_at: r.submittedAt ?? EPOCH,
      updated_at: r.submittedAt ?? EPOCH,
      html_url: html,
      pull_request_url: pullUrl,
      author_association: r.repo.owner === c.user ? 'OWNER' : 'NONE',
      subject_type: 'line',
      _links: { self: { href: url }, html: { href: html }, pull_request: { href: pullUrl } },
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
      html_url: `${WEB}/${full}/runs/${c.id}`,
      output: {
        ...c.output,
        annotations_count: c.annotations.length,
        annotations_url: `${this.api()}/repos/${full}/check-runs/${c.id}/annotations`,
      },
      check_suite: { id: c.id + 1_000_000 },
      app: this.app(),
      pull_requests: [],
    };
  }

  /** An annotation of a check run (`check-annotation`): the fields it was created without are null. */
  annotation(c: CheckRunState, a: AnnotationState): Record<string, unknown> {
    return {
      path: a.path,
      blob_href: `${WEB}/${c.repo.owner}/${c.repo.name}/blob/${c.headSha}/${encodePath(a.path)}`,
      start_line: a.start_line,
      end_line: a.end_line,
      start_column: a.start_column ?? null,
      end_column: a.end_column ?? null,
      annotation_level: a.annotation_level,
      title: a.title ?? null,
      message: a.message,
      raw_details: a.raw_details ?? null,
    };
  }
}

/** A repository path in a URL: each segment escaped, the slashes kept. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function root(r: RepoState): RepoState {
  let top = r;
  while (top.parent) top = top.parent;
  return top;
}
