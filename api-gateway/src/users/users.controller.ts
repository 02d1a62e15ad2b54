import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors, ApiKeyedErrors } from '../common/api-errors.decorator';
import { IdempotencyKey } from '../common/idempotency-key.decorator';
import { ApiIdempotencyKey, IDEMPOTENT_REPLAYED_RESPONSE_HEADER } from '../shared/idempotency/idempotency-docs';
import { TOTAL_COUNT, UUID } from '../common/route-helpers';
import { PageQuery } from '../shared/http/pagination';
import { Inbound } from '../upstream/inbound';
import { relay } from '../upstream/relay';
import { UpstreamClient } from '../upstream/upstream-client';
import { CreateUserDto, UpdateUserDto, UserResponseDto } from '../shared/dto/users';
import { NoBody } from '../shared/http/no-body';

const USERS = 'user-service';

/** With AUTH_ENABLED: a user reads and changes only themselves; listing and creating users is for admins. */
@ApiTags('users')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Request-Id', required: false, description: 'Kept when given (else generated), echoed and forwarded' })
@Controller('users')
export class UsersController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a user, any role (admin only with AUTH_ENABLED; sign-up is POST /api/auth/register)' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: UserResponseDto, headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER })
  @ApiKeyedErrors(USERS, 400, 401, 403, 409, 413, 415, 422)
  create(
    @Body() dto: CreateUserDto,
    @CurrentUser() caller: AuthUser | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'POST', path: '/users', body: dto, ...inbound, caller, idempotencyKey }));
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List users, oldest first (admin only with AUTH_ENABLED)' })
  @ApiOkResponse({ type: [UserResponseDto], headers: TOTAL_COUNT })
  @ApiErrors(USERS, 400, 401, 403)
  list(
    @Query() page: PageQuery,
    @CurrentUser() caller: AuthUser | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    const query = { limit: page.limit, offset: page.offset };
    return relay(res, this.upstream.forward(USERS, { method: 'GET', path: '/users', query, ...inbound, caller }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one user (yourself, or anyone as an admin)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(USERS, 400, 401, 403, 404)
  get(
    @Param('id', UUID) id: string,
    @CurrentUser() caller: AuthUser | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'GET', path: `/users/${id}`, ...inbound, caller }));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Change a user\'s email, name or password (yourself, or anyone as an admin; never the role)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(USERS, 400, 401, 403, 404, 409, 413, 415)
  update(
    @Param('id', UUID) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() caller: AuthUser | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'PUT', path: `/users/${id}`, body: dto, ...inbound, caller }));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a user (yourself, or anyone as an admin; their orders stay as history)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(USERS, 400, 401, 403, 404)
  remove(
    @Param('id', UUID) id: string,
    @CurrentUser() caller: AuthUser | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
    @NoBody() _body: undefined,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'DELETE', path: `/users/${id}`, ...inbound, caller }));
  }
}
