// A fake clock for recipes with injectable timers (job-scheduler,
// media-group-collector): time only moves when a test calls `advance`, and
// each due callback runs in time order, its returned promise awaited, so a
// test never sleeps and never races a real timer. A timer that keeps re-arming
// itself at once (a job that is never removed) makes `advance` throw after
// `maxCallbacks` callbacks instead of looping forever: such a loop only awaits
// microtasks, so no test timeout could stop it.

interface FakeTimer {
  id: number;
  at: number;
  callback: () => unknown;
}

export class FakeClock {
  time: number;
  /** Every delay asked of `setTimeout`, in order. */
  readonly delays: number[] = [];
  private timers = new Map<number, FakeTimer>();
  private nextId = 1;

  constructor(
    start = Date.UTC(2025, 0, 1),
    /** The most timer callbacks one `advance` runs before it calls it a runaway loop. */
    readonly maxCallbacks = 1000,
  ) {
    this.time = start;
  }

  now = (): number => this.time;

  setTimeout = (callback: () => unknown, ms: number): unknown => {
    const id = this.nextId++;
    this.delays.push(ms);
    this.timers.set(id, { id, at: this.time + Math.max(0, ms), callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** Timers that have not fired yet. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (let ran = 0; ; ran++) {
      if (ran >= this.maxCallbacks) throw new Error(`FakeClock.advance(${ms}) ran ${ran} timers: a runaway loop (a timer that re-arms itself at once?)`);
      const due = [...this.timers.values()].filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers.delete(due.id);
      this.time = Math.max(this.time, due.at);
      await due.callback();
    }
    this.time = target;
  }

  /** Moves time without running timers (the process was down). */
  jump(ms: number): void {
    this.time += ms;
  }
}
