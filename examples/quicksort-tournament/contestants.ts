// The quicksort implementations the scripted model writes: a few correct ones and several
// subtly wrong ones, as source text of `function sort(items, compare)`.

/** A kind of contestant and what is (or is not) wrong with it. */
export interface Variant {
  kind: string;
  flaw: string;
  source: string;
}

const stable = (pivot: string) => `function sort(items, compare) {
  if (items.length <= 1) return items.slice();
  const pivot = ${pivot};
  const less = [], equal = [], greater = [];
  for (const item of items) {
    const c = compare(item, pivot);
    (c < 0 ? less : c > 0 ? greater : equal).push(item);
  }
  return [...sort(less, compare), ...equal, ...sort(greater, compare)];
}`;

const middle = 'items[items.length >> 1]';
const medianOfThree = `(() => {
    const a = items[0], b = items[items.length >> 1], c = items[items.length - 1];
    if (compare(a, b) > 0) return compare(b, c) > 0 ? b : compare(a, c) > 0 ? c : a;
    return compare(a, c) > 0 ? a : compare(b, c) > 0 ? c : b;
  })()`;

const variants: Variant[] = [
  { kind: 'three-way, middle pivot', flaw: 'none', source: stable(middle) },
  { kind: 'three-way, median of three', flaw: 'none', source: stable(medianOfThree) },
  {
    kind: 'in-place Lomuto',
    flaw: 'unstable: equal keys change order',
    source: `function sort(items, compare) {
  const a = items.slice();
  const swap = (i, j) => { const t = a[i]; a[i] = a[j]; a[j] = t; };
  const run = (lo, hi) => {
    if (lo >= hi) return;
    swap((lo + hi) >> 1, hi);
    let i = lo;
    for (let j = lo; j < hi; j++) if (compare(a[j], a[hi]) < 0) swap(i++, j);
    swap(i, hi);
    run(lo, i - 1);
    run(i + 1, hi);
  };
  run(0, a.length - 1);
  return a;
}`,
  },
  { kind: 'first-element pivot', flaw: 'quadratic on sorted input', source: stable('items[0]') },
  {
    kind: 'off-by-one partition',
    flaw: 'drops the last item of each slice',
    source: `function sort(items, compare) {
  if (items.length <= 1) return items.slice();
  const pivot = items[0];
  const less = [], greater = [];
  for (let i = 1; i < items.length - 1; i++) (compare(items[i], pivot) < 0 ? less : greater).push(items[i]);
  return [...sort(less, compare), pivot, ...sort(greater, compare)];
}`,
  },
  {
    kind: 'strict partition',
    flaw: 'loses duplicates of the pivot',
    source: `function sort(items, compare) {
  if (items.length <= 1) return items.slice();
  const pivot = items[items.length >> 1];
  const less = items.filter((x) => compare(x, pivot) < 0);
  const greater = items.filter((x) => compare(x, pivot) > 0);
  return [...sort(less, compare), pivot, ...sort(greater, compare)];
}`,
  },
  {
    kind: 'waits for distinct keys',
    flaw: 'spins forever on a slice of equal keys',
    source: `function sort(items, compare) {
  if (items.length <= 1) return items.slice();
  const pivot = items[items.length >> 1];
  const less = [], equal = [], greater = [];
  for (const item of items) {
    const c = compare(item, pivot);
    (c < 0 ? less : c > 0 ? greater : equal).push(item);
  }
  while (less.length === 0 && greater.length === 0) {}
  return [...sort(less, compare), ...equal, ...sort(greater, compare)];
}`,
  },
  {
    kind: 'memoising',
    flaw: 'keeps every slice it ever saw: runs out of memory',
    source: `const seen = [];
function sort(items, compare) {
  for (let i = 0; i < 64; i++) seen.push(new Array(1 << 18).fill(i));
  if (items.length <= 1) return items.slice();
  const pivot = items[items.length >> 1];
  const less = [], equal = [], greater = [];
  for (const item of items) {
    const c = compare(item, pivot);
    (c < 0 ? less : c > 0 ? greater : equal).push(item);
  }
  return [...sort(less, compare), ...equal, ...sort(greater, compare)];
}`,
  },
];

// How many of the 100 contestants write each variant, in the order above.
const weights = [30, 20, 16, 12, 8, 7, 4, 3];

/**
 * The variant contestant `id` (0..99) writes. The mix is fixed so every run of the example
 * shows the same leaderboard shape.
 */
export function variantFor(id: number): Variant {
  let slot = (id * 37) % 100;
  for (let i = 0; i < weights.length; i++) {
    if (slot < (weights[i] as number)) return variants[i] as Variant;
    slot -= weights[i] as number;
  }
  return variants[0] as Variant;
}

/** Finds the variant whose source this is (to label the leaderboard). */
export function variantOf(source: string): Variant | undefined {
  return variants.find((v) => v.source === source);
}
