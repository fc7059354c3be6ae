// A one-line progress bar on a terminal (stderr); silent when not a TTY or when printing JSON.

export interface Progress {
  update: (done: number, total: number) => void;
  done: () => void;
}

export function progressReporter(stream: NodeJS.WriteStream, quiet: boolean): Progress {
  if (quiet || !stream.isTTY) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update(done, total) {
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      stream.write(
        `\rdocs-fix: model [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} lines`,
      );
      shown = true;
    },
    done() {
      if (shown) stream.write('\n');
    },
  };
}
