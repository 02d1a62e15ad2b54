import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequestScope, Scope } from '../shared/auth/scope';
import { TOTAL_COUNT_HEADER } from '../shared/http/pagination';
import { ListPaymentsQuery, PaymentResponseDto } from '../shared/dto/payments';
import { UuidParamPipe } from '../shared/validation/uuid';
import { toPaymentResponse } from './dto/payment-response';
import { PaymentsService } from './payments.service';

const UUID = new UuidParamPipe();

/** Read-only: payments are made by order.created events, never over HTTP. */
@ApiTags('payments')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'Missing or wrong X-API-Key (when API_KEY is set)' })
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get()
  @ApiOkResponse({ type: [PaymentResponseDto], description: 'The total is in the X-Total-Count header' })
  @ApiBadRequestResponse({ description: 'Invalid limit, offset or orderId' })
  async list(
    @Query() query: ListPaymentsQuery,
    @RequestScope() scope: Scope,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<PaymentResponseDto[]> {
    const { payments, total } = await this.payments.list(query, scope);
    void res.header(TOTAL_COUNT_HEADER, String(total));
    return payments.map((p) => toPaymentResponse(p));
  }

  @Get(':id')
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiNotFoundResponse()
  async get(@Param('id', UUID) id: string, @RequestScope() scope: Scope): Promise<PaymentResponseDto> {
    return toPaymentResponse(await this.payments.get(id, scope));
  }
}
