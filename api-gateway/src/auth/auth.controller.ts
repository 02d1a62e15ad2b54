import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors, ApiKeyedErrors } from '../common/api-errors.decorator';
import { IdempotencyKey } from '../common/idempotency-key.decorator';
import { ApiIdempotencyKey, IDEMPOTENT_REPLAYED_RESPONSE_HEADER } from '../shared/idempotency/idempotency-docs';
import { Inbound } from '../upstream/inbound';
import { AuthRateLimit } from '../throttling/auth-rate-limit.decorator';
import { relay } from '../upstream/relay';
import { AuthService, ClientSeen } from './auth.service';
import { AuthResponseDto } from './dto/auth-response.dto';
import { LoginDto } from '../shared/dto/users';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { Public } from './public.decorator';

@ApiTags('auth')
@ApiHeader({ name: 'X-Request-Id', required: false, description: 'Kept when given (else generated), echoed and forwarded' })
@Public()
@AuthRateLimit()
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiOperation({
    summary: 'Sign up as a user and get a token (THROTTLE_AUTH_LIMIT per client IP)',
    description:
      'With an Idempotency-Key, a retry creates no second user: its replay answers the same user with a new session ' +
      '(tokens are never stored in clear; the body holds the password, so this is no more than a login).',
  })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: AuthResponseDto, headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER })
  @ApiKeyedErrors('user-service', 400, 403, 409, 413, 415, 422)
  register(
    @Body() dto: RegisterDto,
    @Req() req: FastifyRequest,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Inbound() inbound: Inbound,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<unknown> {
    return relay(res, this.auth.register(dto, clientSeen(req), inbound, idempotencyKey));
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password; one 401 for any mismatch (THROTTLE_AUTH_LIMIT per client IP)' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiErrors('user-service', 400, 401, 413, 415)
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest, @Inbound() inbound: Inbound, @Res({ passthrough: true }) res: FastifyReply): Promise<unknown> {
    return relay(res, this.auth.login(dto, clientSeen(req), inbound));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trade a refresh token for a new access + refresh pair (THROTTLE_AUTH_LIMIT per client IP)',
    description: 'Each refresh token works once. Presenting a spent one again ends its whole session (a copied token is assumed stolen).',
  })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiErrors('user-service', 400, 401, 413, 415)
  refresh(@Body() dto: RefreshDto, @Req() req: FastifyRequest, @Inbound() inbound: Inbound, @Res({ passthrough: true }) res: FastifyReply): Promise<unknown> {
    return relay(res, this.auth.refresh(dto, clientSeen(req), inbound));
  }
}

/** What the session list shows of a login: the client's user agent and address as this gateway saw them. */
function clientSeen(req: FastifyRequest): ClientSeen {
  const userAgent = req.headers['user-agent'];
  return { ...(userAgent ? { userAgent: userAgent.slice(0, 300) } : {}), ...(req.ip ? { ip: req.ip.slice(0, 64) } : {}) };
}
