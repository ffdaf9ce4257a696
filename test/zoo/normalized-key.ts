/** Keys rows by their identity parts after a normalisation, as a column type or collation would compare them. */
export const normalizedKey =
  (normalize: (part: string) => string) =>
  (id: string): string =>
    JSON.stringify((JSON.parse(id) as string[]).map(normalize));
