import cliProgress from 'cli-progress';

/**
 * Progress of the demo's stages on stderr: a bar per stage (cli-progress) on a terminal,
 * plain lines otherwise (a log file, CI, or `--json`, whose stdout is the summary and
 * whose stderr should stay readable as text).
 */

export interface ProgressBar {
  /** Moves the bar to `done` of its total, with an optional note (e.g. "3 caught"). */
  update(done: number, note?: string): void;
  /** Ends the bar, with a last note. */
  finish(note?: string): void;
}

export interface Progress {
  /** A new bar for a stage step of `total` units. */
  bar(label: string, total: number): ProgressBar;
  /** A line of its own (a stage starting, a result). */
  line(text: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Bars when true; plain lines when false. */
  readonly bars: boolean;
  readonly stream?: NodeJS.WriteStream;
  /** Nothing at all (tests). */
  readonly silent?: boolean;
}

const LABEL_WIDTH = 28;

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.silent === true) {
    return {
      bar: () => ({ update: () => undefined, finish: () => undefined }),
      line: () => undefined,
      stop: () => undefined,
    };
  }
  if (!options.bars) return plainProgress(stream);
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: '{label} {bar} {value}/{total} {note}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    bar(label, total) {
      const bar = multi.create(Math.max(1, total), 0, {
        label: label.padEnd(LABEL_WIDTH),
        note: '',
      });
      return {
        update: (done, note) => {
          bar.update(done, { note: note ?? '' });
        },
        finish: (note) => {
          bar.update(Math.max(1, total), { note: note ?? '' });
          bar.stop();
        },
      };
    },
    line: (text) => {
      multi.log(`${text}\n`);
    },
    stop: () => {
      multi.stop();
    },
  };
}

/** One line when a step starts, at each tenth of the way, and when it ends. */
function plainProgress(stream: NodeJS.WritableStream): Progress {
  const write = (text: string) => stream.write(`${text}\n`);
  return {
    bar(label, total) {
      const started = performance.now();
      let shownTenth = 0;
      write(`${label}: 0/${total}`);
      return {
        update(done, note) {
          const tenth = Math.floor((10 * done) / Math.max(1, total));
          if (tenth <= shownTenth || done >= total) return;
          shownTenth = tenth;
          write(`${label}: ${done}/${total}${note === undefined ? '' : ` ${note}`}`);
        },
        finish(note) {
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          write(
            `${label}: ${total}/${total} in ${seconds} s${note === undefined ? '' : ` ${note}`}`,
          );
        },
      };
    },
    line: write,
    stop: () => undefined,
  };
}
