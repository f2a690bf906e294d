/**
 * The first `count` matches by distance (ties by id), without sorting them all: a first-time
 * search near a big city has thousands of matches but shows at most a few pages. The k-th
 * smallest distance is found by selection (O(n)); only the matches up to it are sorted.
 * `matches` are positions, `distances` aligned with them, `ids` the snapshot's ids by position.
 */
export function nearestFirst(matches: Int32Array, distances: Float64Array, ids: Int32Array, count: number): Int32Array {
  const byDistanceThenId = (a: number, b: number) => distances[a]! - distances[b]! || ids[matches[a]!]! - ids[matches[b]!]!;
  let keys: number[];
  if (count >= matches.length) {
    keys = Array.from(matches.keys());
  } else {
    const threshold = kthSmallest(Float64Array.from(distances), count - 1);
    keys = [];
    for (let k = 0; k < matches.length; k++) if (distances[k]! <= threshold) keys.push(k);
  }
  const nearest = keys.sort(byDistanceThenId).slice(0, count);
  return Int32Array.from(nearest, (k) => matches[k]!);
}

/** The k-th smallest value (0-based) of `values`, which it reorders (Hoare's selection). */
function kthSmallest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}
