import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequestScope, Scope } from '../shared/auth/scope';
import { TOTAL_COUNT_HEADER } from '../shared/http/pagination';
import { CreateOrderDto, ListOrdersQuery, OrderResponseDto } from '../shared/dto/orders';
import { ApiIdempotencyKey, IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY_REUSED, IDEMPOTENT_REPLAYED_RESPONSE_HEADER } from '../shared/idempotency/idempotency-docs';
import { IdempotentAnswers } from '../shared/idempotency/idempotent-answers';
import { IdempotentRequest, KeyedRequest } from '../shared/idempotency/idempotent-request';
import { UuidParamPipe } from '../shared/validation/uuid';
import { toOrderResponse } from './dto/order-response';
import { OrdersService } from './orders.service';
import { NoBody } from '../shared/http/no-body';

const UUID = new UuidParamPipe();

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly idempotency: IdempotentAnswers,
  ) {}

  @Post()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: OrderResponseDto, description: 'Created pending; order.created is published', headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER })
  @ApiBadRequestResponse({ description: 'Invalid fields (names each one), or an invalid Idempotency-Key' })
  @ApiConflictResponse({ description: `Only when ${IDEMPOTENCY_CONFLICT}` })
  @ApiUnprocessableEntityResponse({ description: `The user does not exist or has been deleted, or ${IDEMPOTENCY_KEY_REUSED}` })
  @ApiServiceUnavailableResponse({ description: 'The user is unknown here and user-service cannot be asked' })
  create(@Body() dto: CreateOrderDto, @RequestScope() scope: Scope, @IdempotentRequest() keyed: KeyedRequest | undefined): Promise<OrderResponseDto> {
    return this.idempotency.once(keyed, async () => toOrderResponse(await this.orders.create(dto, scope)));
  }

  @Get()
  @ApiOkResponse({ type: [OrderResponseDto], description: `Newest first; the total count is in ${TOTAL_COUNT_HEADER}` })
  @ApiResponse({ status: 400, description: 'Bad limit, offset or userId' })
  async list(
    @Query() query: ListOrdersQuery,
    @RequestScope() scope: Scope,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<OrderResponseDto[]> {
    const { orders, total } = await this.orders.list(query, scope);
    void res.header(TOTAL_COUNT_HEADER, String(total));
    return orders.map((o) => toOrderResponse(o));
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiBadRequestResponse({ description: 'The id is not a uuid (v4)' })
  @ApiNotFoundResponse()
  async get(@Param('id', UUID) id: string, @RequestScope() scope: Scope): Promise<OrderResponseDto> {
    return toOrderResponse(await this.orders.get(id, scope));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({
    type: OrderResponseDto,
    description: 'pending: cancelled. paid: refund_pending (payment-service refunds, then refunded). refund_pending: unchanged (no second refund)',
    headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER,
  })
  @ApiBadRequestResponse({ description: 'The id is not a uuid (v4), or an invalid Idempotency-Key' })
  @ApiNotFoundResponse({ description: 'No such order, or another user\'s' })
  @ApiConflictResponse({ description: `The order is failed, cancelled, expired, refunded or refund_failed (the message names it), or ${IDEMPOTENCY_CONFLICT}` })
  @ApiUnprocessableEntityResponse({ description: `Only when ${IDEMPOTENCY_KEY_REUSED}` })
  cancel(
    @Param('id', UUID) id: string,
    @RequestScope() scope: Scope,
    @IdempotentRequest() keyed: KeyedRequest | undefined,
    @NoBody() _body: undefined,
  ): Promise<OrderResponseDto> {
    return this.idempotency.once(keyed, async () => toOrderResponse(await this.orders.cancel(id, scope)));
  }
}
