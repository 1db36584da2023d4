/**
 * Shared output for every benchmark: a readable table for people, or with `--json` exactly one
 * JSON object on stdout for scripts (anything else a benchmark wants to say goes to stderr).
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type TableRow = Record<string, string | number>;

export function wantsJson(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--json');
}

export function report(name: string, result: { [key: string]: JsonValue }, rows: readonly TableRow[], argv: readonly string[] = process.argv): void {
  if (wantsJson(argv)) {
    process.stdout.write(`${JSON.stringify({ benchmark: name, ...result })}\n`);
    return;
  }
  process.stdout.write(`${name}\n\n${formatTable(rows)}\n`);
}

/** Columns come from the first row's keys; the first column (the label) is left-aligned, the rest right-aligned. */
export function formatTable(rows: readonly TableRow[]): string {
  const first = rows[0];
  if (first === undefined) return '(no rows)\n';
  const columns = Object.keys(first);
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((line) => (line[index] ?? '').length)));
  const numeric = columns.map((_, index) => index > 0);
  const line = (values: readonly string[]): string =>
    `| ${values.map((value, index) => (numeric[index] ? value.padStart(widths[index] ?? 0) : value.padEnd(widths[index] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, index) => (numeric[index] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(columns), rule, ...cells.map(line)].join('\n') + '\n';
}

/** Large numbers get thousands separators; small ones keep two significant decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function formatCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? formatNumber(value) : value;
}
