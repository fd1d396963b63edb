/** How a value found in the input reads in a message: `the number 0`, `the text "abc"`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** `a`, `a and b`, `a, b and c` (or `a, b or c`); long lists end with "and N more". */
export function listInWords(items: readonly string[], limit = 5, conjunction = 'and'): string {
  const shown =
    items.length > limit ? [...items.slice(0, limit), `${items.length - limit} more`] : items;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown[shown.length - 1] ?? ''}`;
}

/** `1 problem`, `2 problems`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
