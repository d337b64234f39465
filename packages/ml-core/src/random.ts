/**
 * Small seeded PRNG (mulberry32). Used for the data split and for row/column
 * sampling so that a given seed always reproduces the same model.
 */
export function mulberry32(seed: number): () => number {
  // State in a typed array: a captured uint32 above 2^30 would be boxed as a
  // heap number on every call (row sampling draws one per row and round).
  const state = new Uint32Array([seed >>> 0]);
  return () => {
    state[0] += 0x6d2b79f5;
    let t = state[0];
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** In-place Fisher–Yates shuffle driven by the given generator. */
export function shuffleInPlace<T>(
  items: { length: number; [i: number]: T },
  rng: () => number,
): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}
