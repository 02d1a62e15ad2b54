import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../common/api-errors.decorator';
import { Inbound } from '../upstream/inbound';
import { relay } from '../upstream/relay';
import { UpstreamClient } from '../upstream/upstream-client';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { CurrentUser } from './current-user.decorator';
import { NeedsSession } from './public.decorator';
import { NoBody } from '../shared/http/no-body';

const UUID = new ParseUUIDPipe({ version: '4' });
const USERS = 'user-service';

class SessionDto {
  @ApiProperty({ format: 'uuid' }) readonly id!: string;
  @ApiProperty({ format: 'date-time' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time' }) readonly lastUsedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'As the gateway saw the client' }) readonly userAgent!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'As the gateway saw the client (TRUST_PROXY)' }) readonly ip!: string | null;
}

/** The caller's own sessions: a token is needed here even with AUTH_ENABLED off (there is no session without one). */
@ApiTags('auth')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Request-Id', required: false, description: 'Kept when given (else generated), echoed and forwarded' })
@NeedsSession()
@Controller('auth')
export class SessionsController {
  constructor(
    private readonly auth: AuthService,
    private readonly upstream: UpstreamClient,
  ) {}

  @Get('sessions')
  @ApiOperation({ summary: 'Your sessions in use (one per login), newest first' })
  @ApiOkResponse({ type: [SessionDto] })
  @ApiErrors(USERS, 401)
  list(@CurrentUser() caller: AuthUser, @Inbound() inbound: Inbound, @Res({ passthrough: true }) res: FastifyReply): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'GET', path: '/auth/sessions', ...inbound, caller }));
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of your sessions: its refresh token at once, its access tokens within SESSION_CHECK_TTL' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Ended (or ended already)' })
  @ApiErrors(USERS, 400, 401, 404)
  end(
    @Param('id', UUID) id: string,
    @CurrentUser() caller: AuthUser,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
    @NoBody() _body: undefined,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'DELETE', path: `/auth/sessions/${id}`, ...inbound, caller }));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of this token' })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiErrors(USERS, 401)
  logout(
    @CurrentUser() caller: AuthUser,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
    @NoBody() _body: undefined,
  ): Promise<unknown> {
    return relay(res, this.auth.logout(caller, inbound));
  }
}
