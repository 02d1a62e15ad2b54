import { Inject, Injectable, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import type { Role } from '../shared/events/contracts';
import type { Inbound } from '../upstream/inbound';
import { UpstreamClient } from '../upstream/upstream-client';
import type { AuthUser } from './auth-user';
import { AUTH_SETTINGS, AuthSettings } from './auth.settings';

interface Checked {
  readonly until: number;
  readonly status: { readonly active: false } | { readonly active: true; readonly userId: string; readonly role: Role };
}

/** Sessions kept in memory at most; beyond it the oldest answers are dropped (and asked again). */
const MAX_CACHED = 50_000;

/**
 * Whether a token's session is still live, and the user's role now. Asked of user-service at most
 * once per SESSION_CHECK_TTL per session on each gateway instance (default 4 s), so an ended
 * session, a deleted user, a password change or a changed role bites within that time everywhere,
 * while a busy client costs one small request every few seconds, not one per request. A short
 * cache rather than revocation events: it needs no consumer in the gateway, holds on any number of
 * instances, and its bound is the TTL whatever the broker is doing.
 */
@Injectable()
export class SessionCheck {
  private readonly checked = new Map<string, Checked>();
  private readonly pending = new Map<string, Promise<Checked['status']>>();

  constructor(
    private readonly upstream: UpstreamClient,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  /** The caller as the session says now: 401 for an ended session, roles as the user has them now. */
  async verify(user: AuthUser, inbound: Inbound): Promise<AuthUser> {
    const status = await this.statusOf(user.sessionId, inbound);
    if (!status.active || status.userId !== user.id) throw new UnauthorizedException('session ended: log in again');
    return { ...user, roles: [status.role] };
  }

  /** After a logout from this instance: its next check asks again at once. */
  forget(sessionId: string): void {
    this.checked.delete(sessionId);
  }

  private async statusOf(sessionId: string, inbound: Inbound): Promise<Checked['status']> {
    const cached = this.checked.get(sessionId);
    if (cached && cached.until > Date.now()) return cached.status;
    // Concurrent requests of one session share one question.
    let asking = this.pending.get(sessionId);
    if (!asking) {
      asking = this.ask(sessionId, inbound).finally(() => this.pending.delete(sessionId));
      this.pending.set(sessionId, asking);
    }
    return asking;
  }

  private async ask(sessionId: string, inbound: Inbound): Promise<Checked['status']> {
    const reply = await this.upstream.forward('user-service', { method: 'GET', path: `/auth/sessions/${sessionId}/status`, ...inbound });
    if (reply.status !== 200) throw new ServiceUnavailableException('cannot check the session now; try again shortly');
    const status = reply.body as Checked['status'];
    if (this.checked.size >= MAX_CACHED) this.checked.delete(this.checked.keys().next().value as string);
    this.checked.set(sessionId, { until: Date.now() + this.settings.sessionCheckTtlMs, status });
    return status;
  }
}
