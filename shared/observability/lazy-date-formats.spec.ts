import { lazyDateTimeFormat, loadNestWithLazyDateFormats } from './lazy-date-formats';

/** Intl.DateTimeFormat, counting the formats really built. */
function countingDateTimeFormat(): { Format: typeof Intl.DateTimeFormat; built: () => number } {
  const Eager = Intl.DateTimeFormat;
  let built = 0;
  function Counting(locales?: string | string[], options?: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
    built += 1;
    return new Eager(locales, options);
  }
  Counting.prototype = Eager.prototype;
  return { Format: Object.assign(Counting, { supportedLocalesOf: Eager.supportedLocalesOf }) as unknown as typeof Intl.DateTimeFormat, built: () => built };
}

describe('date formats built on first use', () => {
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: 'numeric', minute: 'numeric', second: 'numeric' };
  const moment = new Date(Date.UTC(2026, 11, 1, 14, 5, 9));

  it('builds nothing until used, then answers as the eager format does', () => {
    const counting = countingDateTimeFormat();
    const Lazy = lazyDateTimeFormat(counting.Format);
    const lazy = new Lazy('en-US', { ...options, timeZone: 'UTC' });
    expect(counting.built()).toBe(0);

    const eager = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
    expect(lazy.format(moment)).toBe(eager.format(moment));
    expect(lazy.formatToParts(moment)).toEqual(eager.formatToParts(moment));
    expect(lazy.resolvedOptions()).toEqual(eager.resolvedOptions());
    expect(lazy).toBeInstanceOf(Intl.DateTimeFormat);
    expect(counting.built()).toBe(1);
  });

  it('loads Nest without building a date format, and Nest still stamps its console lines', () => {
    const counting = countingDateTimeFormat();
    const original = Intl.DateTimeFormat;
    Intl.DateTimeFormat = counting.Format;
    try {
      jest.isolateModules(() => {
        loadNestWithLazyDateFormats();
        expect(counting.built()).toBe(0);
        // The global is the one it was before the load.
        expect(Intl.DateTimeFormat).toBe(counting.Format);

        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { ConsoleLogger } = require('@nestjs/common') as typeof import('@nestjs/common');
        const stamp = (new ConsoleLogger() as unknown as { getTimestamp(): string }).getTimestamp();
        expect(stamp).toMatch(/\d{2}.\d{2}.\d{4}.* \d{1,2}:\d{2}:\d{2}/);
        expect(counting.built()).toBe(1);
      });
    } finally {
      Intl.DateTimeFormat = original;
    }
  });
});
