/**
 * The wait before reconnect attempt `n` (0 for the first after a drop):
 * full jitter, a random time between `min` and a cap doubling with each
 * attempt up to `max`, so that clients a node dropped at once do not come
 * back at once.
 */
export function backoff(n, min, max) {
  const cap = Math.min(max, min * 2 ** Math.min(n + 1, 30));
  return min + Math.random() * Math.max(0, cap - min);
}
