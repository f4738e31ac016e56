/** A value as a person reads it: nothing is "(empty)", lists are comma-separated, text unquoted. */
export const readable = (value: unknown): string => {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (Array.isArray(value))
    return value.length
      ? value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))).join(', ')
      : '(empty)';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};
