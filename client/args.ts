import { ClientError } from './errors.ts';

/** Parsed option values (node:util parseArgs) and the checks the commands share. */
export type Values = Record<string, string | boolean | undefined>;

export function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new ClientError('CLIENT_USAGE', `--${name} is required`);
  return value;
}

export function milliseconds(values: Values, name: string, fallback: number): number {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[0-9]{1,9}$/.test(value) || Number(value) === 0) throw new ClientError('CLIENT_USAGE', `--${name} ${JSON.stringify(value)}: expected a whole number of milliseconds ≥ 1`);
  return Number(value);
}
