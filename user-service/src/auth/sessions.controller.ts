import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UnauthorizedException } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SessionsService } from '../sessions/sessions.service';
import { RequestScope, Scope } from '../shared/auth/scope';
import { UserResponseDto } from '../shared/dto/users';
import { toUserResponse } from '../users/dto/user-response';
import { UsersService } from '../users/users.service';
import { CredentialsService } from './credentials.service';
import { UuidParamPipe } from '../shared/validation/uuid';
import { IssuedSessionDto, OpenSessionDto, RefreshSessionDto, SessionLoginDto, SessionResponseDto, SessionStatusDto, SessionsQuery } from './session.dto';
import { NoBody } from '../shared/http/no-body';

const UUID = new UuidParamPipe();

/**
 * Internal: the gateway's logins, refreshes and session checks. The gateway issues the access
 * tokens (it alone holds JWT_SECRET); sessions and refresh tokens live here, with the users.
 */
@ApiTags('sessions')
@Controller('auth')
export class SessionsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an email and password and open a session with its first refresh token' })
  @ApiOkResponse({ type: IssuedSessionDto })
  @ApiBadRequestResponse({ description: 'Invalid fields' })
  @ApiUnauthorizedResponse({ description: 'Unknown email or wrong password: one answer for both' })
  async login(@Body() dto: SessionLoginDto): Promise<IssuedSessionDto> {
    const user = await this.credentials.verify(dto.email, dto.password);
    if (!user) throw new UnauthorizedException('invalid email or password');
    return IssuedSessionDto.of(await this.sessions.open(user.id, dto), toUserResponse(user));
  }

  @Post('sessions')
  @ApiOperation({ summary: 'Open a session for a user just registered' })
  @ApiCreatedResponse({ type: IssuedSessionDto })
  @ApiBadRequestResponse({ description: 'Invalid fields' })
  @ApiNotFoundResponse({ description: 'No such user (or another user than the caller)' })
  async open(@Body() dto: OpenSessionDto, @RequestScope() scope: Scope): Promise<IssuedSessionDto> {
    const user = await this.users.get(dto.userId, scope);
    return IssuedSessionDto.of(await this.sessions.open(user.id, dto), toUserResponse(user));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Trade a refresh token for a new one (the old one is spent; presenting it again ends the session)' })
  @ApiOkResponse({ type: IssuedSessionDto })
  @ApiBadRequestResponse({ description: 'Invalid fields' })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired or spent refresh token, or an ended session' })
  async refresh(@Body() dto: RefreshSessionDto): Promise<IssuedSessionDto> {
    const issued = await this.sessions.refresh(dto.refreshToken, dto);
    return IssuedSessionDto.of(issued, toUserResponse(await this.users.get(issued.userId)));
  }

  @Get('sessions')
  @ApiOperation({ summary: "The caller's sessions in use, newest first (an admin names the user)" })
  @ApiOkResponse({ type: [SessionResponseDto] })
  @ApiBadRequestResponse({ description: 'userId is not a uuid' })
  @ApiUnauthorizedResponse({ description: 'Neither a calling user nor a userId' })
  async list(@RequestScope() scope: Scope, @Query() query: SessionsQuery): Promise<SessionResponseDto[]> {
    const owner = scope.everyone ? query.userId : scope.userId;
    if (!owner) throw new UnauthorizedException('sessions belong to a user: call with a user, or name one (?userId=)');
    return (await this.sessions.listActive(owner)).map((s) => SessionResponseDto.of(s));
  }

  // Named sessionId, as in the answer of a login: a client (or a contract tester) following the
  // OpenAPI document takes the session's id from there, not the id of the user beside it.
  @Delete('sessions/:sessionId')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one session (its refresh token stops working; its access tokens within seconds)' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'The id is not a uuid' })
  @ApiNotFoundResponse({ description: 'No such session of the caller' })
  async end(@Param('sessionId', UUID) id: string, @RequestScope() scope: Scope, @NoBody() _body: undefined): Promise<void> {
    await this.sessions.end(id, scope, 'ended_by_user');
  }

  @Get('sessions/:sessionId/status')
  @ApiOperation({ summary: "Whether a session's access tokens may still be used, and the user's role now (the gateway caches it for seconds)" })
  @ApiOkResponse({ type: SessionStatusDto })
  @ApiBadRequestResponse({ description: 'The id is not a uuid' })
  async status(@Param('sessionId', UUID) id: string): Promise<SessionStatusDto> {
    return this.sessions.status(id);
  }
}
