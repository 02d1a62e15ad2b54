import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../shared/http/pagination';

export class ListPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the payment of this order' })
  @IsOptional()
  @IsUUID('all')
  readonly orderId?: string;
}
