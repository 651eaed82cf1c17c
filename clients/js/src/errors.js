/**
 * What a call fails with: the node's ERROR (its `code` and message), a
 * RETRY given up on (`code` is the RETRY's reason, `retry` true), or the
 * client's own: `timeout`, `cancelled`, `disconnected` (a call without a
 * session whose connection ended), `resume_gap` (its answer was lost with
 * the stream), `closed` (the client was closed).
 */
export class TetherError extends Error {
  constructor(code, message, { retry = false } = {}) {
    super(message ? `${code}: ${message}` : code);
    this.name = "TetherError";
    this.code = code;
    this.retry = retry;
  }
}
