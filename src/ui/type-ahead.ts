import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** What a prompt's input is read from: process.stdin, or a stream in tests. */
export interface KeySource extends NodeJS.EventEmitter {
  resume(): unknown;
  pause(): unknown;
  setRawMode?: (raw: boolean) => unknown;
}

/**
 * One input stream for every prompt of a run, so answers typed ahead are
 * kept. `prompts` opens a readline interface per question and closes it after
 * the answer: keys that arrived in the same chunk as that answer's Enter
 * (typed ahead, or pasted) would reach no one and be lost. This stream reads
 * the terminal once, keeps what it read, and hands it on one answer (up to a
 * line end) at a time, each only once a prompt listens for keys.
 */
export class TypeAhead extends Readable {
  readonly isTTY = true;
  private buffer = "";
  private waiting = false;
  private lastWasReturn = false;
  private readonly decoder = new StringDecoder("utf8");

  constructor(private readonly source: KeySource) {
    super();
    source.on("data", (chunk: Buffer | string) => {
      this.buffer += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
      this.pump();
    });
    // A prompt opened: give it what is waiting (after its constructor has attached everything).
    this.on("newListener", (event: string) => {
      if (event === "keypress") setImmediate(() => this.pump());
    });
  }

  override _read(): void {}

  setRawMode(raw: boolean): this {
    this.source.setRawMode?.(raw);
    return this;
  }

  /** Reads the terminal while a prompt is shown… */
  start(): void {
    this.source.resume();
  }

  /** …and stops between prompts, so an idle terminal never keeps the process alive. */
  stop(): void {
    this.source.pause();
  }

  private pump(): void {
    while (!this.waiting && this.buffer !== "" && this.listenerCount("keypress") > 0) {
      // "\r\n" (a paste) is one Enter, not two.
      if (this.lastWasReturn && this.buffer.startsWith("\n")) this.buffer = this.buffer.slice(1);
      this.lastWasReturn = false;
      const end = this.buffer.search(/[\r\n]/);
      const chunk = end === -1 ? this.buffer : this.buffer.slice(0, end + 1);
      this.buffer = this.buffer.slice(chunk.length);
      if (chunk === "") continue;
      this.push(chunk);
      if (end !== -1) {
        this.lastWasReturn = chunk.endsWith("\r");
        // An answer was submitted: wait until its prompt has validated it. Closed, the rest waits for
        // the next prompt; still open (the answer was refused), the rest goes on to it.
        this.waiting = true;
        setImmediate(() => {
          this.waiting = false;
          this.pump();
        });
      }
    }
  }
}

let shared: TypeAhead | undefined;

/** The one input of this process's prompts, reading process.stdin. */
export function terminalInput(): TypeAhead {
  shared ??= new TypeAhead(process.stdin);
  return shared;
}
