import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequestScope, RequestSessionId, Scope } from '../shared/auth/scope';
import { PageQuery, TOTAL_COUNT_HEADER } from '../shared/http/pagination';
import { CreateUserDto, UpdateUserDto, UserResponseDto } from '../shared/dto/users';
import { ApiIdempotencyKey, IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY_REUSED, IDEMPOTENT_REPLAYED_RESPONSE_HEADER } from '../shared/idempotency/idempotency-docs';
import { IdempotentAnswers } from '../shared/idempotency/idempotent-answers';
import { IdempotentRequest, KeyedRequest } from '../shared/idempotency/idempotent-request';
import { UuidParamPipe } from '../shared/validation/uuid';
import { toUserResponse } from './dto/user-response';
import { UsersService } from './users.service';
import { NoBody } from '../shared/http/no-body';

const UUID = new UuidParamPipe();

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly idempotency: IdempotentAnswers,
  ) {}

  @Post()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: UserResponseDto, headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER })
  @ApiBadRequestResponse({ description: 'Invalid fields, or an invalid Idempotency-Key' })
  @ApiConflictResponse({ description: `Email already registered, or ${IDEMPOTENCY_CONFLICT}` })
  @ApiUnprocessableEntityResponse({ description: `Only when ${IDEMPOTENCY_KEY_REUSED}` })
  create(@Body() dto: CreateUserDto, @IdempotentRequest() keyed: KeyedRequest | undefined): Promise<UserResponseDto> {
    return this.idempotency.once(keyed, async () => toUserResponse(await this.users.create(dto)));
  }

  @Get()
  @ApiOkResponse({ type: [UserResponseDto] })
  async list(@Query() page: PageQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<UserResponseDto[]> {
    const { users, total } = await this.users.list(page);
    void res.header(TOTAL_COUNT_HEADER, String(total));
    return users.map((u) => toUserResponse(u));
  }

  @Get(':id')
  @ApiOkResponse({ type: UserResponseDto })
  @ApiNotFoundResponse()
  async get(@Param('id', UUID) id: string, @RequestScope() scope: Scope): Promise<UserResponseDto> {
    return toUserResponse(await this.users.get(id, scope));
  }

  @Put(':id')
  @ApiOkResponse({ type: UserResponseDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse()
  async update(
    @Param('id', UUID) id: string,
    @Body() dto: UpdateUserDto,
    @RequestScope() scope: Scope,
    @RequestSessionId() session: string | undefined,
  ): Promise<UserResponseDto> {
    return toUserResponse(await this.users.update(id, dto, scope, session));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; the user\'s orders are kept as history' })
  @ApiNotFoundResponse()
  async remove(@Param('id', UUID) id: string, @RequestScope() scope: Scope, @NoBody() _body: undefined): Promise<void> {
    await this.users.remove(id, scope);
  }
}
