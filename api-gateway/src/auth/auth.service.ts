import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '../shared/events/contracts';
import { UpstreamClient, UpstreamReply } from '../upstream/upstream-client';
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, TokenClaims } from './auth-user';
import { AUTH_SETTINGS, AuthSettings } from './auth.settings';
import type { AuthResponseDto } from './dto/auth-response.dto';
import type { LoginDto } from '../shared/dto/users';
import type { RegisterDto } from './dto/register.dto';

interface UpstreamUser {
  id: string;
  role: Role;
}

/**
 * Sign-up and login. user-service owns the users and checks passwords; the gateway only issues
 * the tokens (it alone holds JWT_SECRET).
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly jwt: JwtService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  /** Creates a plain user (never an admin) and logs them in; user-service's 400/409 come back as they are. */
  async register(dto: RegisterDto, requestId: string): Promise<UpstreamReply> {
    if (dto.role === 'admin') throw new ForbiddenException('nobody registers as admin: an admin creates admins (POST /api/users)');
    const body = { email: dto.email, name: dto.name, password: dto.password, role: 'user' };
    const reply = await this.upstream.forward('user-service', { method: 'POST', path: '/users', body, requestId });
    return reply.status === 201 ? { status: 201, body: await this.tokenFor(reply.body as UpstreamUser) } : reply;
  }

  /** One 401 for an unknown email and a wrong password (user-service spends the same time on both). */
  async login(dto: LoginDto, requestId: string): Promise<UpstreamReply> {
    const reply = await this.upstream.forward('user-service', { method: 'POST', path: '/auth/verify', body: dto, requestId });
    if (reply.status === 401) throw new UnauthorizedException('invalid email or password');
    return reply.status === 200 ? { status: 200, body: await this.tokenFor(reply.body as UpstreamUser) } : reply;
  }

  private async tokenFor(user: UpstreamUser): Promise<AuthResponseDto> {
    const claims: TokenClaims = { sub: user.id, roles: [user.role] };
    const accessToken = await this.jwt.signAsync(claims, {
      secret: this.settings.jwtSecret,
      algorithm: TOKEN_ALGORITHM,
      expiresIn: this.settings.expiresInSeconds,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.settings.expiresInSeconds, user: user as unknown as AuthResponseDto['user'] };
  }
}
