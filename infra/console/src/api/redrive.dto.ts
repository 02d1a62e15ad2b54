import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, Matches, ValidateNested } from 'class-validator';
import { DeadLetterFilterDto } from './filter.dto';

export class RedriveDto {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @Matches(/^[\w.-]{1,249}\/\d{1,6}\/\d{1,19}$/, { each: true, message: 'each id must be topic/partition/offset' })
  readonly ids?: string[];

  @IsOptional() @ValidateNested() @Type(() => DeadLetterFilterDto) readonly filter?: DeadLetterFilterDto;

  /** Show what would be sent, send nothing. */
  @IsOptional() @IsBoolean() readonly dryRun?: boolean;

  /** Send dead letters that were redriven before, once more. */
  @IsOptional() @IsBoolean() readonly again?: boolean;
}
