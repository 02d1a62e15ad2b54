import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../shared/http/pagination';

/** `?limit=&offset=&userId=`: a page of all orders, or of one user's orders. */
export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this user\'s orders' })
  @IsOptional()
  @IsUUID()
  readonly userId?: string;
}
