/**
 * The one order of the served schema: graphql-js `lexicographicSortSchema`'s (natural order of names). Pothos sorts
 * the static schema that way; the generated parts are built in the same order directly, so introspection lists types,
 * fields, arguments and enum values in this order without a second pass that copies every type.
 */

const DIGIT_0 = 48;
const DIGIT_9 = 57;

/**
 * The order of graphql-js's `naturalCompare`, the comparator `lexicographicSortSchema` uses (the property tests in
 * `test/schema/schema-order.test.ts` hold the two together), but fast on names with long common prefixes
 * (`Generated0123MeasurementAggregate…`): `naturalCompare` tokenizes both names from the start on every
 * comparison, while the equal prefix up to the digit run around the first difference reads the same in both, so
 * tokenizing can start there. A digit run is one number, except that a `0` with no other digit before it in the run
 * stands alone (`007` is 0, 0, 7), as in `naturalCompare`.
 */
export function compareNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  while (i > 0 && isDigit(a.charCodeAt(i - 1))) i--;
  let j = i;
  while (i < a.length && j < b.length) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let na = 0;
      do {
        na = na * 10 + ca - DIGIT_0;
        ca = a.charCodeAt(++i);
      } while (isDigit(ca) && na > 0);
      let nb = 0;
      do {
        nb = nb * 10 + cb - DIGIT_0;
        cb = b.charCodeAt(++j);
      } while (isDigit(cb) && nb > 0);
      if (na !== nb) return na < nb ? -1 : 1;
    } else {
      if (ca !== cb) return ca < cb ? -1 : 1;
      i++;
      j++;
    }
  }
  return a.length - b.length;
}

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/**
 * A string whose code-unit order among GraphQL names (`[_A-Za-z][_0-9A-Za-z]*`) is `naturalCompare`'s order, or
 * undefined for a name with a digit run too long for `naturalCompare` to add up exactly. Each number becomes one
 * character for its digit count (`1`…`?`: below every letter and `_`, as digits are) followed by its digits, so a
 * longer number sorts after a shorter one and equal lengths by digits. Names without digits are their own key.
 */
export function naturalKey(name: string): string | undefined {
  let i = 0;
  while (i < name.length && !isDigit(name.charCodeAt(i))) i++;
  if (i === name.length) return name;
  let key = name.slice(0, i);
  while (i < name.length) {
    let j = i;
    if (!isDigit(name.charCodeAt(i))) {
      while (j < name.length && !isDigit(name.charCodeAt(j))) j++;
      key += name.slice(i, j);
    } else if (name.charCodeAt(i) === DIGIT_0) {
      j = i + 1;
      key += "10";
    } else {
      while (j < name.length && isDigit(name.charCodeAt(j))) j++;
      if (j - i > MAX_KEYED_DIGITS) return undefined;
      key += String.fromCharCode(DIGIT_0 + j - i) + name.slice(i, j);
    }
    i = j;
  }
  return key;
}

/** 15 digits add up exactly in a double; past that the sums round (as `compareNames` does too; a key cannot). */
const MAX_KEYED_DIGITS = 15;
/** From this length on, sorting keys natively beats calling a comparator n·log n times. */
const KEYED_SORT_MIN = 500;

/**
 * Natural keys of the names sorted lately. Generated types repeat the same field names in every macro (and in its
 * where, enum and aggregate types), so a name's key is worked out once, not on every comparison. Bounded: cleared
 * when full.
 */
const KEYS = new Map<string, string | undefined>();
const MAX_KEYS = 100_000;

function cachedKey(name: string): string | undefined {
  let key = KEYS.get(name);
  if (key === undefined && !KEYS.has(name)) {
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    key = naturalKey(name);
    KEYS.set(name, key);
  }
  return key;
}

/** Sorts in place into schema order. Names must be unique (they are: type names, or field names of one type). */
export function sortBySchemaName<T>(items: T[], nameOf: (item: T) => string): T[] {
  if (items.length < KEYED_SORT_MIN) {
    const keys: string[] = [];
    for (const item of items) {
      const key = cachedKey(nameOf(item));
      if (key === undefined) return insertionSort(items, items.map(nameOf), compareNames);
      keys.push(key);
    }
    // Keys compare as plain strings in the same order (`naturalKey`).
    return insertionSort(items, keys, compareCodeUnits);
  }
  const names = items.map(nameOf);
  if (sortByKeys(items, names)) return items;
  return insertionSort(items, names, compareNames);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Type field lists are short: a binary insertion sort in plain JS beats Array#sort calling back a comparator.
 * `by[i]` is what item i is compared by; both are sorted together.
 */
function insertionSort<T>(items: T[], by: string[], compare: (a: string, b: string) => number): T[] {
  for (let i = 1; i < items.length; i++) {
    const name = by[i]!;
    const item = items[i]!;
    let low = 0;
    let high = i;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(by[middle]!, name) <= 0) low = middle + 1;
      else high = middle;
    }
    for (let j = i; j > low; j--) {
      by[j] = by[j - 1]!;
      items[j] = items[j - 1]!;
    }
    by[low] = name;
    items[low] = item;
  }
  return items;
}

/** Long lists: sorts their keys natively. False (and `items` untouched) when a name has no key. */
function sortByKeys<T>(items: T[], names: readonly string[]): boolean {
  const keyed: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const key = naturalKey(names[i]!);
    if (key === undefined) return false;
    // `\0` sorts below every key character, so a key that is a prefix of another sorts first, as it should.
    keyed.push(`${key}\0${i}`);
  }
  keyed.sort();
  const sorted = keyed.map((k) => items[Number(k.slice(k.lastIndexOf("\0") + 1))]!);
  for (let i = 0; i < sorted.length; i++) items[i] = sorted[i]!;
  return true;
}

/**
 * A map of name → config in schema order, for graphql-js type configs (sorts `entries` in place). The map has no
 * prototype, like the maps graphql-js builds from it (GraphQL names are never integer-like, so insertion order holds).
 */
export function sortedMap<T>(entries: [string, T][]): Record<string, T> {
  sortBySchemaName(entries, entryName);
  const map: Record<string, T> = Object.create(null);
  for (const [name, value] of entries) map[name] = value;
  return map;
}

/** The same entries with keys in schema order. */
export function sortedByKey<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return sortedMap(Object.entries(record));
}

export function schemaNameOf(item: { readonly name: string }): string {
  return item.name;
}

function entryName(entry: readonly [string, unknown]): string {
  return entry[0];
}
