import { ConflictException, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '../shared/events/contracts';
import type { Inbound } from '../upstream/inbound';
import { UpstreamClient, UpstreamReply } from '../upstream/upstream-client';
import { AuthUser, TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, TokenClaims } from './auth-user';
import { AUTH_SETTINGS, AuthSettings } from './auth.settings';
import type { AuthResponseDto } from './dto/auth-response.dto';
import type { LoginDto } from '../shared/dto/users';
import type { RefreshDto } from './dto/refresh.dto';
import type { RegisterDto } from './dto/register.dto';
import { SessionCheck } from './session-check';

interface UpstreamUser {
  id: string;
  role: Role;
}

/** user-service's answer to a login, a registration's session or a refresh. */
interface IssuedSession {
  sessionId: string;
  refreshToken: string;
  refreshExpiresAt: string;
  user: UpstreamUser;
}

/** What the gateway saw of the client, kept on the session (the session list shows it). */
export interface ClientSeen {
  readonly userAgent?: string;
  readonly ip?: string;
}

/**
 * Sign-up, login, refresh and logout. user-service owns the users, their sessions and refresh
 * tokens; the gateway only issues the short access tokens (it alone holds JWT_SECRET).
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly jwt: JwtService,
    private readonly sessions: SessionCheck,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  /**
   * Creates a plain user (never an admin) and logs them in; user-service's 400/409 come back as they are.
   * With an idempotency key, user-service creates the user once; a replay opens a new session for that
   * user and says it is a replay.
   */
  async register(dto: RegisterDto, client: ClientSeen, inbound: Inbound, idempotencyKey?: string): Promise<UpstreamReply> {
    if (dto.role === 'admin') throw new ForbiddenException('nobody registers as admin: an admin creates admins (POST /api/users)');
    const body = { email: dto.email, name: dto.name, password: dto.password, role: 'user' };
    const created = await this.upstream.forward('user-service', { method: 'POST', path: '/users', body, ...inbound, idempotencyKey });
    if (created.status !== 201) return created;
    const userId = (created.body as UpstreamUser).id;
    const opened = await this.upstream.forward('user-service', { method: 'POST', path: '/auth/sessions', body: { userId, ...client }, ...inbound });
    // A replay answers with the user the key once created; if that user was deleted since, there is
    // nobody to open a session for, and only a new key can sign up again.
    if (opened.status === 404 && created.replayed) {
      throw new ConflictException('the user this Idempotency-Key signed up has been deleted since: sign up again with a new key');
    }
    if (opened.status !== 201) return opened;
    return { status: 201, body: await this.tokensFor(opened.body as IssuedSession), ...(created.replayed ? { replayed: true } : {}) };
  }

  /** One 401 for an unknown email and a wrong password (user-service spends the same time on both). */
  async login(dto: LoginDto, client: ClientSeen, inbound: Inbound): Promise<UpstreamReply> {
    const reply = await this.upstream.forward('user-service', { method: 'POST', path: '/auth/login', body: { ...dto, ...client }, ...inbound });
    if (reply.status === 401) throw new UnauthorizedException('invalid email or password');
    return reply.status === 200 ? { status: 200, body: await this.tokensFor(reply.body as IssuedSession) } : reply;
  }

  /** A new pair for a refresh token; a spent one is refused, and ends its session. */
  async refresh(dto: RefreshDto, client: ClientSeen, inbound: Inbound): Promise<UpstreamReply> {
    const reply = await this.upstream.forward('user-service', { method: 'POST', path: '/auth/refresh', body: { ...dto, ...client }, ...inbound });
    if (reply.status === 401) throw new UnauthorizedException('invalid or expired refresh token: log in again');
    return reply.status === 200 ? { status: 200, body: await this.tokensFor(reply.body as IssuedSession) } : reply;
  }

  /** Ends the caller's session: its refresh token at once, its access tokens within SESSION_CHECK_TTL (at once on this instance). */
  async logout(caller: AuthUser, inbound: Inbound): Promise<UpstreamReply> {
    const reply = await this.upstream.forward('user-service', { method: 'DELETE', path: `/auth/sessions/${caller.sessionId}`, ...inbound, caller });
    this.sessions.forget(caller.sessionId);
    return reply;
  }

  private async tokensFor(issued: IssuedSession): Promise<AuthResponseDto> {
    const claims: TokenClaims = { sub: issued.user.id, roles: [issued.user.role], sid: issued.sessionId };
    const accessToken = await this.jwt.signAsync(claims, {
      secret: this.settings.jwtSecret,
      algorithm: TOKEN_ALGORITHM,
      expiresIn: this.settings.expiresInSeconds,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.settings.expiresInSeconds,
      refreshToken: issued.refreshToken,
      refreshExpiresAt: issued.refreshExpiresAt,
      sessionId: issued.sessionId,
      user: issued.user as unknown as AuthResponseDto['user'],
    };
  }
}
