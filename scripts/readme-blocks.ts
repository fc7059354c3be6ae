// The README's generated blocks: text between `<!-- generated:<name> -->` and `<!-- /generated:<name> -->`,
// written by scripts (docs:config, bench:fleet) and compared by tests.

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- generated:${name} -->`, end: `<!-- /generated:${name} -->` };
}

/** Replaces the body of block `name`; throws when its markers are missing or out of order. */
export function replaceBlock(text: string, name: string, body: string): string {
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md: markers ${start} ... ${end} not found`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/** The body of block `name` as replaceBlock writes it; throws when the block is missing. */
export function readBlock(text: string, name: string): string {
  const { start, end } = markers(name);
  const from = text.indexOf(`${start}\n`);
  const to = text.indexOf(`\n${end}`);
  if (from < 0 || to < from) throw new Error(`README.md has no generated:${name} block`);
  return text.slice(from + start.length + 1, to);
}
