import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { TOTAL_COUNT, UUID } from '../common/route-helpers';
import { Inbound } from '../upstream/inbound';
import { relay } from '../upstream/relay';
import { UpstreamClient } from '../upstream/upstream-client';
import { ListPaymentsQuery, PaymentResponseDto } from '../shared/dto/payments';

const PAYMENTS = 'payment-service';

/**
 * Read-only: payments are made by payment-service when order.created arrives. With
 * AUTH_ENABLED a user sees the payments of their own orders only (each payment names its user);
 * an admin sees all.
 */
@ApiTags('payments')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Request-Id', required: false, description: 'Kept when given (else generated), echoed and forwarded' })
@Controller('payments')
export class PaymentsController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Get()
  @ApiOperation({ summary: 'List payments, optionally of one order (a user sees their own only)' })
  @ApiOkResponse({ type: [PaymentResponseDto], headers: TOTAL_COUNT })
  @ApiErrors(PAYMENTS, 400, 401)
  list(
    @Query() q: ListPaymentsQuery,
    @CurrentUser() caller: AuthUser | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    const query = { limit: q.limit, offset: q.offset, orderId: q.orderId };
    return relay(res, this.upstream.forward(PAYMENTS, { method: 'GET', path: '/payments', query, ...inbound, caller }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one payment (another user\'s is a 404)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors(PAYMENTS, 400, 401, 404)
  get(
    @Param('id', UUID) id: string,
    @CurrentUser() caller: AuthUser | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(PAYMENTS, { method: 'GET', path: `/payments/${id}`, ...inbound, caller }));
  }
}
