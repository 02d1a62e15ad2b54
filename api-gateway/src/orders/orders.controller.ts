import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors, ApiKeyedErrors } from '../common/api-errors.decorator';
import { IdempotencyKey } from '../common/idempotency-key.decorator';
import { ApiIdempotencyKey, IDEMPOTENT_REPLAYED_RESPONSE_HEADER } from '../shared/idempotency/idempotency-docs';
import { TOTAL_COUNT, UUID } from '../common/route-helpers';
import { Inbound } from '../upstream/inbound';
import { relay } from '../upstream/relay';
import { UpstreamClient } from '../upstream/upstream-client';
import { CreateOrderDto, ListOrdersQuery, OrderResponseDto } from '../shared/dto/orders';
import { NoBody } from '../shared/http/no-body';

const ORDERS = 'order-service';

/** With AUTH_ENABLED: a user places, lists and reads only their own orders; an admin reads all. */
@ApiTags('orders')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Request-Id', required: false, description: 'Kept when given (else generated), echoed and forwarded' })
@Controller('orders')
export class OrdersController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Post()
  @ApiOperation({ summary: 'Place an order (starts pending; payment-service makes it paid or failed)' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: OrderResponseDto, headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER })
  @ApiKeyedErrors(ORDERS, 400, 401, 403, 409, 413, 415, 422)
  create(
    @Body() dto: CreateOrderDto,
    @CurrentUser() caller: AuthUser | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(ORDERS, { method: 'POST', path: '/orders', body: dto, ...inbound, caller, idempotencyKey }));
  }

  @Get()
  @ApiOperation({ summary: 'List orders, newest first, optionally of one user (a user sees only their own)' })
  @ApiOkResponse({ type: [OrderResponseDto], headers: TOTAL_COUNT })
  @ApiErrors(ORDERS, 400, 401, 403)
  list(
    @Query() q: ListOrdersQuery,
    @CurrentUser() caller: AuthUser | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    const query = { limit: q.limit, offset: q.offset, userId: q.userId };
    return relay(res, this.upstream.forward(ORDERS, { method: 'GET', path: '/orders', query, ...inbound, caller }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one order (another user\'s is a 404)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiErrors(ORDERS, 400, 401, 404)
  get(
    @Param('id', UUID) id: string,
    @CurrentUser() caller: AuthUser | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(ORDERS, { method: 'GET', path: `/orders/${id}`, ...inbound, caller }));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel an order (owner or admin)',
    description:
      'pending → cancelled at once. paid → refund_pending, then refunded once payment-service has given the money back ' +
      '(refund_failed if every attempt is declined). A second cancel while the refund is under way answers the order as it ' +
      'is (no second refund). failed, cancelled, expired, refunded, refund_failed → 409 naming the status. Another user\'s order is a 404. ' +
      'With an Idempotency-Key, a retry gets the first cancel\'s answer back (Idempotent-Replayed), not a 409 for the order it cancelled.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: OrderResponseDto, headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER })
  @ApiKeyedErrors(ORDERS, 400, 401, 404, 409)
  cancel(
    @Param('id', UUID) id: string,
    @CurrentUser() caller: AuthUser | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
    @NoBody() _body: undefined,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(ORDERS, { method: 'POST', path: `/orders/${id}/cancel`, ...inbound, caller, idempotencyKey }));
  }
}
