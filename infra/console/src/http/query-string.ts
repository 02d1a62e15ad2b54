import { BadRequestException } from '@nestjs/common';

/**
 * The console's query parser. An empty form field means "no filter", not "match the empty
 * string", so it is dropped. A parameter given twice is refused with a 400 naming it, as the
 * services refuse it: keeping one of the two would answer a question the client did not ask.
 * Express reads `req.query` only when a handler asks for it, so the 400 comes from inside Nest's
 * pipeline and its error filter answers it.
 */
export function parseQueryString(text: string): Record<string, string> {
  const seen = new Set<string>();
  const entries: [string, string][] = [];
  for (const [name, value] of new URLSearchParams(text)) {
    if (seen.has(name)) throw new BadRequestException(`${name.slice(0, 40)} is given more than once; give it once`);
    seen.add(name);
    if (value !== '') entries.push([name, value]);
  }
  return Object.fromEntries(entries);
}
