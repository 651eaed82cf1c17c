/**
 * A streamed result as an async iterator: RESULT_PART payloads in order,
 * ended by the part with `last` (or a single REPLY, its one value).
 * Leaving the loop early cancels the request.
 */
export class ResultStream {
  constructor(onAbandon) {
    this.queue = [];
    this.done = false;
    this.error = null;
    this.wake = null;
    this.onAbandon = onAbandon;
  }

  push(value, last) {
    this.queue.push(value);
    if (last) this.done = true;
    this.notify();
  }

  fail(error) {
    this.error = error;
    this.notify();
  }

  notify() {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
  }

  async *[Symbol.asyncIterator]() {
    try {
      for (;;) {
        if (this.queue.length > 0) {
          yield this.queue.shift();
          continue;
        }
        if (this.error) throw this.error;
        if (this.done) return;
        await new Promise((resolve) => (this.wake = resolve));
      }
    } finally {
      if (!this.done && !this.error) this.onAbandon();
    }
  }
}
