// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
/**
 * Nest's two loggers each build an `Intl.DateTimeFormat` when `@nestjs/common` loads, for the
 * timestamp of their console lines. Building the first date format maps ICU's locale data: ~8 MB
 * of every app's resident memory (bench/findings.md), for lines these apps never print that way
 * (they log through pino; Nest's console logger speaks only if a start fails before that logger
 * is set). So `@nestjs/common` is loaded here with date formats built on their first use. Call it
 * once, before anything else loads Nest (the first import of main.ts does).
 */
export function loadNestWithLazyDateFormats(): void {
  const EagerDateTimeFormat = Intl.DateTimeFormat;
  Intl.DateTimeFormat = lazyDateTimeFormat(EagerDateTimeFormat);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@nestjs/common');
  } finally {
    Intl.DateTimeFormat = EagerDateTimeFormat;
  }
}

/**
 * A DateTimeFormat constructor whose instances build the real one when first used: every property
 * read (`format`, `formatToParts`, `resolvedOptions`, …) is the real instance's.
 */
export function lazyDateTimeFormat(Eager: typeof Intl.DateTimeFormat): typeof Intl.DateTimeFormat {
  function LazyDateTimeFormat(locales?: string | string[], options?: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
    let real: Intl.DateTimeFormat | undefined;
    return new Proxy(Object.create(Eager.prototype) as Intl.DateTimeFormat, {
      get(_target, property) {
        real ??= new Eager(locales, options);
        const value: unknown = Reflect.get(real, property, real);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
      },
    });
  }
  return Object.assign(LazyDateTimeFormat, { supportedLocalesOf: Eager.supportedLocalesOf.bind(Eager) }) as unknown as typeof Intl.DateTimeFormat;
}
