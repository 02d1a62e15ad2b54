import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequestScope, Scope } from '../shared/auth/scope';
import { TOTAL_COUNT_HEADER } from '../shared/http/pagination';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { PaymentResponseDto } from './dto/payment-response.dto';
import { PaymentsService } from './payments.service';

const UUID = new ParseUUIDPipe({ version: '4' });

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
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentResponseDto[]> {
    const { payments, total } = await this.payments.list(query, scope);
    res.setHeader(TOTAL_COUNT_HEADER, String(total));
    return payments.map((p) => PaymentResponseDto.of(p));
  }

  @Get(':id')
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiNotFoundResponse()
  async get(@Param('id', UUID) id: string, @RequestScope() scope: Scope): Promise<PaymentResponseDto> {
    return PaymentResponseDto.of(await this.payments.get(id, scope));
  }
}
