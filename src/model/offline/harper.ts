// One harper.js LocalLinter per process, created lazily on first use (compiling the WebAssembly module and
// building Harper's curated dictionary takes about 3 s; a worker process then serves every job with it).
// Access is serialised: the user dictionary (a fixer's vocabulary) is linter state shared by every caller.
import { packageVersion } from './packages.js';

/** One lint as plain data (the WebAssembly objects are freed as soon as they are read). */
export interface HarperLint {
  /** Harper's rule name, e.g. `SpellCheck`, `RepeatedWords`, `AnA`. */
  readonly rule: string;
  /** UTF-16 offsets into the linted text. */
  readonly start: number;
  readonly end: number;
  readonly problem: string;
  readonly suggestions: readonly string[];
}

/** What the offline editor needs from Harper: lint texts with some rules and a user dictionary. */
export interface HarperSession {
  /** The harper.js package version, part of the model id. */
  readonly version: string;
  /**
   * Lints `text` as markdown with only `rules` enabled and `words` (sorted, deduplicated) in the user
   * dictionary. Calls are queued: at most one runs at a time in a process.
   */
  lint(text: string, rules: readonly string[], words: readonly string[]): Promise<HarperLint[]>;
}

/** The installed harper.js version (read from its package.json, which the package does not export). */
export function harperVersion(): string {
  return packageVersion('harper.js');
}

type Linter = import('harper.js').LocalLinter;

let shared: HarperSession | undefined;
let started = 0;

/** How many linters this process has created (one is the goal: a worker serves every job with it). */
export function lintersStarted(): number {
  return started;
}

/** The process's Harper session (created on first call; the linter itself on first lint). */
export function sharedHarper(): HarperSession {
  shared ??= createHarperSession();
  return shared;
}

/** A session with its own linter: use `sharedHarper()` unless a test needs isolation. */
export function createHarperSession(): HarperSession {
  let linter: Promise<Linter> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let configured = '';
  let dictionary = '';

  const start = async (): Promise<Linter> => {
    // Loaded here, not at module load: the inlined binary is a 21 MB module that only this provider needs.
    const harper = await import('harper.js');
    const { binaryInlined } = await import('harper.js/binaryInlined');
    started += 1;
    const l = new harper.LocalLinter({ binary: binaryInlined, dialect: harper.Dialect.American });
    // The first lint builds Harper's dictionary; do it now so that no job pays for it twice.
    await l.setup();
    return l;
  };

  const run = async (
    text: string,
    rules: readonly string[],
    words: readonly string[],
  ): Promise<HarperLint[]> => {
    linter ??= start();
    let l: Linter;
    try {
      l = await linter;
    } catch (err) {
      // A failed start is not cached: the next call tries again.
      linter = undefined;
      throw err;
    }
    const ruleKey = rules.join(',');
    if (ruleKey !== configured) {
      const all = await l.getLintConfig();
      for (const r of rules) {
        if (!(r in all)) throw new Error(`harper.js has no lint rule named ${r}`);
      }
      await l.setLintConfig(Object.fromEntries(Object.keys(all).map((k) => [k, rules.includes(k)])));
      configured = ruleKey;
    }
    const wordKey = words.join('\n');
    if (wordKey !== dictionary) {
      await l.clearWords();
      if (words.length > 0) await l.importWords([...words]);
      dictionary = wordKey;
    }
    const groups = await l.organizedLints(text, { language: 'markdown' });
    const out: HarperLint[] = [];
    for (const [rule, lints] of Object.entries(groups)) {
      for (const lint of lints) {
        const span = lint.span();
        const suggestions = lint.suggestions();
        out.push({
          rule,
          start: span.start,
          end: span.end,
          problem: lint.get_problem_text(),
          suggestions: suggestions.map((s) => s.get_replacement_text()),
        });
        for (const s of suggestions) s.free();
        span.free();
        lint.free();
      }
    }
    return out;
  };

  let version: string | undefined;
  return {
    get version() {
      version ??= harperVersion();
      return version;
    },
    lint(text, rules, words) {
      const result = queue.then(() => run(text, rules, words));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
