/** `"column" IN ('a', 'b')`: the CHECK of a column that holds one of these values. */
export const oneOf = (column: string, values: readonly string[]): string => `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
