import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DeadLetterFilter } from '../dead-letters/redrive.types';
import { MessageFilter, filterProblem } from '../messages/message-filter';

/** One message for whatever is wrong with a number in the query, with its range. */
const inRange = (min: number, max: number) => ({ message: `$property must be a whole number from ${min} to ${max}` });

/** Query string of the message list (and the base of the dead-letter filter). */
export class MessageFilterDto {
  @IsOptional() @Matches(/^[\w.-]{1,249}$/, { message: 'topic must be a Kafka topic name' }) readonly topic?: string;
  @IsOptional() @Type(() => Number) @IsInt(inRange(0, 100000)) @Min(0, inRange(0, 100000)) @Max(100000, inRange(0, 100000)) readonly partition?: number;
  @IsOptional() @IsString() @MaxLength(1000) readonly key?: string;
  @IsOptional() @IsString() @MaxLength(200) readonly eventId?: string;
  @IsOptional() @IsString() @MaxLength(200) readonly requestId?: string;
  @IsOptional() @Matches(/^[\da-fA-F]{32}$/, { message: 'traceId must be 32 hex digits (the trace id of a traceparent)' }) readonly traceId?: string;
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 time' }) readonly from?: string;
  @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 time' }) readonly to?: string;
}

export class MessageQueryDto extends MessageFilterDto {
  @IsOptional() @Type(() => Number) @IsInt(inRange(1, 1000)) @Min(1, inRange(1, 1000)) @Max(1000, inRange(1, 1000)) readonly limit?: number;
}

export class DeadLetterFilterDto extends MessageFilterDto {
  @IsOptional() @IsString() @MaxLength(200) readonly reason?: string;
}

export function toMessageFilter(dto: MessageFilterDto): MessageFilter {
  const filter: MessageFilter = {
    topic: dto.topic,
    partition: dto.partition,
    key: dto.key,
    eventId: dto.eventId,
    requestId: dto.requestId,
    traceId: dto.traceId,
    from: dto.from ? new Date(dto.from) : undefined,
    to: dto.to ? new Date(dto.to) : undefined,
  };
  const problem = filterProblem(filter);
  if (problem) throw new BadRequestException(problem);
  return filter;
}

export const toDeadLetterFilter = (dto: DeadLetterFilterDto): DeadLetterFilter => ({ ...toMessageFilter(dto), reason: dto.reason });
