// `npm run bench -- …` as the README and `--help` describe its flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from '../lib/args.mjs';

describe('npm run bench arguments', () => {
  it('takes --option-rate N: section 6 at N req/s for every setting', () => {
    assert.equal(parseArgs(['--only', 'tracing,auth', '--option-rate', '1200']).optionRate, 1200);
    assert.equal(parseArgs(['--only', 'tracing']).optionRate, undefined);
  });

  it('refuses a rate that is not a whole number of requests per second, naming the flag', () => {
    for (const bad of ['0', '-5', '12.5', 'fast', undefined]) {
      assert.throws(() => parseArgs(['--option-rate', bad]), /--option-rate takes a whole number of requests per second/);
    }
  });

  it('refuses a section it does not know', () => {
    assert.throws(() => parseArgs(['--only', 'tracing,nope']), /--only: unknown section nope/);
  });
});
