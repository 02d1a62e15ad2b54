import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access } from '../auth/access';
import { AuthUser, isAdmin, mayActFor } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { TOTAL_COUNT, UUID } from '../common/route-helpers';
import { RequestId } from '../shared/http/request-id';
import { relay } from '../upstream/relay';
import { UpstreamClient, UpstreamReply } from '../upstream/upstream-client';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { PaymentResponseDto } from './dto/payment-response.dto';

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
  @ApiOperation({ summary: 'List payments, optionally of one order (a user: only ?orderId= of their own order)' })
  @ApiOkResponse({ type: [PaymentResponseDto], headers: TOTAL_COUNT })
  @ApiErrors(PAYMENTS, 400, 401, 403)
  async list(
    @Query() q: ListPaymentsQuery,
    @CurrentUser() caller: AuthUser | undefined,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    Access.paymentListFilter(caller, q.orderId);
    const query = { limit: q.limit, offset: q.offset, orderId: q.orderId };
    const reply = await this.upstream.forward(PAYMENTS, { method: 'GET', path: '/payments', query, requestId, caller });
    return relay(res, ownPaymentsOnly(caller, reply));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one payment (another user\'s is a 404)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors(PAYMENTS, 400, 401, 404)
  async get(
    @Param('id', UUID) id: string,
    @CurrentUser() caller: AuthUser | undefined,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    const reply = await this.upstream.forward(PAYMENTS, { method: 'GET', path: `/payments/${id}`, requestId, caller });
    Access.ownedAnswer(caller, reply.status, reply.body, `payment ${id} not found`);
    return relay(res, reply);
  }
}

/**
 * A user asks for one order's payments (at most one row): another user's order answers an empty
 * list, as an order without payment does, so order ids cannot be probed.
 */
function ownPaymentsOnly(caller: AuthUser | undefined, reply: UpstreamReply): UpstreamReply {
  if (caller === undefined || isAdmin(caller) || reply.status !== 200 || !Array.isArray(reply.body)) return reply;
  const own = reply.body.filter((p: { userId?: unknown }) => mayActFor(caller, p.userId));
  return own.length === reply.body.length ? reply : { ...reply, body: own, totalCount: String(own.length) };
}
