/**
 * "Did you mean": the known name nearest to a mistyped one. Shared by the command's flags and names
 * (src/cli/options.ts re-exports it) and the strategy API's checks (an indicator, an indicator output).
 */

/** The edit distance of two strings (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known name nearest to `name` when it is close enough to be a typo (or a prefix of it), else undefined. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let distance = Infinity;
  for (const k of known) {
    const d = k.startsWith(name) && name.length >= 2 ? 0.5 : editDistance(name, k);
    if (d < distance) [best, distance] = [k, d];
  }
  return distance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}
