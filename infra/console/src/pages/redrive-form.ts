import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { toDeadLetterFilter } from '../api/filter.dto';
import { RedriveDto } from '../api/redrive.dto';
import { RedriveRequest } from '../dead-letters/redrive.types';

export type FormBody = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The dead-letter page's form: the checked ids ("Redrive selected") or the page's filter, carried in
 * `filter.*` fields ("Redrive all matching"); validated by the API's own rules.
 */
export function redriveFromForm(body: FormBody): RedriveRequest {
  const scope = body.scope === 'matching' ? 'matching' : 'selected';
  const ids = body.ids === undefined ? [] : Array.isArray(body.ids) ? body.ids : [body.ids];
  if (scope === 'selected' && ids.length === 0) throw new BadRequestException('select at least one dead letter, or redrive all matching');
  const filter: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('filter.') && typeof value === 'string' && value !== '') filter[name.slice('filter.'.length)] = value;
  }
  const dto = plainToInstance(RedriveDto, {
    ids: scope === 'selected' ? ids : undefined,
    filter: scope === 'matching' ? filter : undefined,
    dryRun: body.dryRun === 'true',
    again: body.again === 'true',
  });
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new BadRequestException(errors.flatMap((e) => [...Object.values(e.constraints ?? {}), ...(e.children ?? []).flatMap((c) => Object.values(c.constraints ?? {}))]));
  }
  return { ids: dto.ids, filter: dto.filter && toDeadLetterFilter(dto.filter), dryRun: dto.dryRun ?? false, again: dto.again ?? false };
}
