// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_OFFSET = 1_000_000;

/** Query strings are text: only plain decimal integers become numbers, anything else fails validation. */
const QueryInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value));

/**
 * One message for every way a page parameter is wrong, with the range: `-1` or a 20-digit offset
 * is an integer, and "must be an integer number" (all a text that is not digits can reach) sent
 * the client looking for the wrong mistake.
 */
const inPageRange = (min: number, max: number) => ({ message: `$property must be a whole number from ${min} to ${max}` });

export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @QueryInt()
  @IsInt(inPageRange(1, MAX_PAGE_SIZE))
  @Min(1, inPageRange(1, MAX_PAGE_SIZE))
  @Max(MAX_PAGE_SIZE, inPageRange(1, MAX_PAGE_SIZE))
  readonly limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @QueryInt()
  @IsInt(inPageRange(0, MAX_OFFSET))
  @Min(0, inPageRange(0, MAX_OFFSET))
  @Max(MAX_OFFSET, inPageRange(0, MAX_OFFSET))
  readonly offset: number = 0;
}

/** Lists answer with a plain array (as the seed's API did); the total travels in a header. */
export const TOTAL_COUNT_HEADER = 'X-Total-Count';
