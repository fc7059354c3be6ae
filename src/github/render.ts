/** Texts docs-fix shows on GitHub: pull request body, check run output. Pure functions of their inputs. */
import type { DecisionSummary } from '../engine/trace.js';
import type { KeyInputs, RunSummary } from '../engine/types.js';

/** Bodies of pull requests, issues and comments: at most 65,536 characters. */
export const BODY_LIMIT = 65_536;
/** Check run `summary` and `text`: at most 65,535 characters. */
export const CHECK_TEXT_LIMIT = 65_535;

const MARKER_RE = /<!-- docs-fix:bot-pr base=(\S+?) -->/;

/** Hidden marker by which the bot recognises its own pull request for `base`. */
export function botMarker(base: string): string {
  return `<!-- docs-fix:bot-pr base=${base} -->`;
}

/** The base branch named by a bot marker in a pull request body, or undefined when there is none. */
export function parseBotMarker(body: string | null | undefined): string | undefined {
  return body ? MARKER_RE.exec(body)?.[1] : undefined;
}

export interface RenderInput {
  readonly summary: RunSummary;
  /** Unified diff of the proposed changes. */
  readonly diff: string;
  /** Paths of the changed files. */
  readonly files: readonly string[];
}

/** The numbers people look at: a two-column markdown table. */
export function summaryTable(summary: RunSummary): string {
  const rows: [string, number][] = [
    ['Files examined', summary.files],
    ['Files changed', summary.changedFiles],
    ['Lines changed', summary.changedLines],
    ['Paragraphs and headings changed', summary.changedUnits],
    ['Paragraphs and headings already correct (served from the cache)', summary.fixpointHits],
    ['Paragraphs and headings fixed from the cache', summary.rewriteHits],
    ['Paragraphs and headings sent to the model', summary.modelUnits],
    ['Paragraphs and headings held (a rewrite was rejected)', summary.heldUnits],
  ];
  if (summary.rejectedByMaintainer > 0)
    rows.push([
      'Paragraphs and headings left as they are (a maintainer rejected the edit)',
      summary.rejectedByMaintainer,
    ]);
  if (summary.unansweredUnits > 0)
    rows.push(['Paragraphs and headings the model did not answer (left unchanged)', summary.unansweredUnits]);
  if (summary.overBudgetUnits > 0)
    rows.push(['Paragraphs and headings left for a later run (budget)', summary.overBudgetUnits]);
  if (summary.skippedFiles.length > 0) rows.push(['Files skipped', summary.skippedFiles.length]);
  return ['| | |', '|---|--:|', ...rows.map(([k, v]) => `| ${k} | ${v.toLocaleString('en-US')} |`)].join(
    '\n',
  );
}

/** A fence longer than any backtick run inside `text`, so the diff cannot close it. */
function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * Cuts a diff to at most `budget` characters at a line boundary, preferring the end of a file's section, and
 * says how much was left out. Returns the diff whole when it fits.
 */
export function truncateDiff(diff: string, budget: number): { text: string; truncated: boolean } {
  if (diff.length <= budget) return { text: diff, truncated: false };
  const totalLines = diff.split('\n').length;
  const notice = (shownLines: number): string =>
    `\n… diff truncated: ${(totalLines - shownLines).toLocaleString('en-US')} more lines not shown\n`;
  const room = Math.max(0, budget - notice(0).length - 16);
  let cut = diff.lastIndexOf('\n', room);
  if (cut <= 0) cut = 0;
  const fileStart = diff.lastIndexOf('\ndiff --git ', cut);
  const sectionEnd = fileStart > room / 2 ? fileStart : cut;
  const text = diff.slice(0, sectionEnd);
  const shown = text === '' ? 0 : text.split('\n').length;
  return { text: text + notice(shown), truncated: true };
}

function diffBlock(diff: string, budget: number): string {
  const open = (fence: string): string => `<details><summary>Proposed changes</summary>\n\n${fence}diff\n`;
  const close = (fence: string): string => `\n${fence}\n\n</details>`;
  const fence = fenceFor(diff);
  const overhead = open(fence).length + close(fence).length;
  const { text } = truncateDiff(diff.replace(/\n$/, ''), Math.max(0, budget - overhead));
  return open(fence) + text.replace(/\n$/, '') + close(fence);
}

/** Pull request body: marker, summary table, collapsible diff (cut to fit under 65,536 characters), how to re-run. */
export function renderPullRequestBody(input: RenderInput & { readonly base: string }): string {
  const head = [
    botMarker(input.base),
    `docs-fix copy-edited ${input.files.length} markdown file${input.files.length === 1 ? '' : 's'} on \`${input.base}\`.`,
    '',
    summaryTable(input.summary),
    '',
  ].join('\n');
  const tail = [
    '',
    '',
    'Comment `/docs-fix` on a pull request to run it there (`/docs-fix check` only reports). This pull request is',
    'updated in place by later pushes. Closing it unmerged tells docs-fix not to propose these edits again;',
    'a commit of yours on its branch is kept, and what you put back or rewrite there is left as you made it.',
  ].join('\n');
  const budget = BODY_LIMIT - head.length - tail.length - 64;
  return head + diffBlock(input.diff, budget) + tail;
}

/** Inline code that no backtick inside `text` can close; long texts cut (the section must stay compact). */
function inlineCode(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  let longest = 0;
  for (const m of cut.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${cut} ${fence}` : `${fence}${cut}${fence}`;
}

/** One row per reason of an outcome (`Lines frozen: code`), largest first, zeros left out. */
function reasonRows(label: string, counts: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([reason, n]) => [`${label}: ${reason}`, n]);
}

/**
 * The "Decisions" section of a check run: files and prose units (paragraphs and headings) by outcome,
 * frozen lines and rejections by reason (zero rows left out), and the key inputs every cache key of the run
 * was derived from. At most a few dozen rows: outcomes and reasons are fixed sets.
 */
export function decisionsSection(decisions: DecisionSummary, keyInputs?: KeyInputs): string {
  const { units } = decisions;
  const files = { ...decisions.files };
  const fileFixpoints = files['file-fixpoint-hit'] ?? 0;
  const parsed = files.parsed ?? 0;
  delete files['file-fixpoint-hit'];
  delete files.parsed;
  const skipped = Object.fromEntries(
    Object.entries(files).map(([outcome, n]) => [outcome.replace(/^skipped:/, ''), n]),
  );
  const rows: [string, number][] = [
    ['Files skipped whole (known file-level fixpoint)', fileFixpoints],
    ['Files split into lines and units', parsed],
    ...reasonRows('Files skipped', skipped),
    ['Units already correct (fixpoint hit)', units['fixpoint-hit']],
    ['Units rewritten from the cache (rewrite hit)', units['rewrite-hit']],
    ...reasonRows('Units a rewrite was withheld from', decisions.withheldByReason),
    ['Units sent to the model, changed', units['miss-changed']],
    ['Units sent to the model, unchanged', units['miss-unchanged']],
    ...reasonRows('Units rejected', decisions.rejectedByReason),
    ['Units held (an earlier answer was rejected)', units['held-hit']],
    ['Units a maintainer rejected the edit of (left as they are)', units['rejected-by-maintainer']],
    ['Units over budget (left for a later run)', units['over-budget']],
    ['Units the model did not answer', units.unanswered],
    ...reasonRows('Lines frozen', decisions.frozenByReason),
  ];
  const table = [
    '| Decision | Count |',
    '|---|--:|',
    ...rows.filter(([, n]) => n > 0).map(([k, n]) => `| ${k} | ${n.toLocaleString('en-US')} |`),
  ];
  const out = ['### Decisions', '', ...(table.length > 2 ? table : ['No files or lines examined.'])];
  if (keyInputs) {
    out.push(
      '',
      [
        `Key inputs: model ${inlineCode(keyInputs.modelId)} (${inlineCode(keyInputs.modelLabel)})`,
        `prompt version ${inlineCode(keyInputs.promptVersion)}`,
        `scope ${inlineCode(keyInputs.scope)}`,
        `cache schema ${keyInputs.cacheSchema}`,
        `splitter version ${keyInputs.splitterVersion}`,
        ...(keyInputs.languages !== undefined ? [`languages ${inlineCode(keyInputs.languages)}`] : []),
      ].join(', '),
    );
  }
  return out.join('\n');
}

export interface CheckRunInput extends RenderInput {
  readonly dryRun?: boolean;
  /** The run's decisions: rendered as the "Decisions" section. */
  readonly decisions?: DecisionSummary;
  readonly keyInputs?: KeyInputs;
  /** A last paragraph (what the run did with the result); kept within the limit with the rest. */
  readonly note?: string;
}

/** Check run output: title, summary (table, decisions, note) and text (the diff), each within GitHub's limits. */
export function renderCheckRunOutput(input: CheckRunInput): {
  title: string;
  summary: string;
  text: string;
} {
  const { summary } = input;
  const title =
    summary.changedLines === 0
      ? 'Nothing to fix'
      : `${summary.changedLines} line${summary.changedLines === 1 ? '' : 's'} to fix in ${summary.changedFiles} file${summary.changedFiles === 1 ? '' : 's'}`;
  const note = input.dryRun
    ? '\n\nDry run: the repository config asks for a report only; nothing was committed.'
    : '';
  const skipped = summary.skippedFiles
    .slice(0, 50)
    .map((s) => `- \`${s.path}\`: ${s.reason} (${s.message})`)
    .join('\n');
  const decisions = input.decisions ? `\n\n${decisionsSection(input.decisions, input.keyInputs)}` : '';
  // The note is short and says what happened: the table, decisions and skipped list are cut before it.
  const last = clip(input.note ? `\n\n${input.note}` : '', Math.floor(CHECK_TEXT_LIMIT / 2));
  const summaryText =
    clip(
      `${summaryTable(summary)}${note}${decisions}${skipped ? `\n\nSkipped files:\n${skipped}` : ''}`,
      CHECK_TEXT_LIMIT - last.length,
    ) + last;
  const text = input.diff === '' ? '' : diffBlock(input.diff, CHECK_TEXT_LIMIT - 64);
  return { title, summary: summaryText, text };
}

/** Cuts text to `limit` characters with a visible mark. */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const mark = '\n\n… (truncated)';
  return text.slice(0, limit - mark.length) + mark;
}
