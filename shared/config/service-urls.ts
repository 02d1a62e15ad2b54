import { Transform } from 'class-transformer';
import { isURL, ValidateBy } from 'class-validator';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** "http://a:3001, http://b:3001" → ["http://a:3001", "http://b:3001"]; one URL is a list of one. */
export const ToUrlList = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((url) => url.trim()) : value));

/** The one thing wrong with a list of service URLs, or undefined when it is fine. */
export function urlListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'must be one http(s) URL or a comma-separated list of them';
  const seen = new Set<string>();
  for (const url of value as unknown[]) {
    if (typeof url !== 'string' || url === '') return 'has an empty entry (a stray comma?)';
    if (!isURL(url, HTTP_URL)) return `has "${url}", which is not an http(s) URL`;
    // http://a:1 and http://a:1/ are the same instance: counted twice it would get twice the traffic.
    const same = new URL(url).href.replace(/\/+$/, '');
    if (seen.has(same)) return `lists ${same} twice`;
    seen.add(same);
  }
  return undefined;
}

/** A list of distinct http(s) base URLs, one per instance of a service (see ToUrlList). */
export const IsServiceUrls = () =>
  ValidateBy({
    name: 'isServiceUrls',
    validator: {
      validate: (value: unknown) => urlListProblem(value) === undefined,
      defaultMessage: (args) => `${args?.property ?? 'the variable'} ${urlListProblem(args?.value)}`,
    },
  });
