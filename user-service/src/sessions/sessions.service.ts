import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { Scope } from '../shared/auth/scope';
import { UnitOfWork } from '../shared/database/unit-of-work';
import type { Role } from '../shared/events/contracts';
import { digestOf, newRefreshToken } from './refresh-token';
import { Session, SessionEndReason } from './session.entity';
import { InvalidRefreshTokenError, SessionNotFoundError } from './sessions.errors';

export const SESSION_SETTINGS = Symbol('SessionSettings');

export interface SessionSettings {
  /** Lifetime of each refresh token from its issue (REFRESH_TOKEN_TTL). */
  readonly refreshTtlSeconds: number;
}

/** What the gateway saw of the client when it opened or refreshed the session. */
export interface ClientSeen {
  readonly userAgent?: string;
  readonly ip?: string;
}

export interface IssuedRefreshToken {
  readonly sessionId: string;
  readonly userId: string;
  /** Handed out once; only its digest is kept. */
  readonly refreshToken: string;
  readonly refreshExpiresAt: Date;
}

/** The gateway's question on the hot path (cached there for seconds): may this session's token still be used? */
export type SessionStatus = { readonly active: false } | { readonly active: true; readonly userId: string; readonly role: Role };

interface TokenRow {
  session_id: string;
  user_id: string;
  expires_at: Date;
  rotated_at: Date | null;
  ended_at: Date | null;
}

/**
 * Sessions: one per login, each with a chain of refresh tokens of which only the newest may be
 * traded. Presenting an older one again means the chain was copied (a stolen token raced its
 * owner): the whole session ends, for the thief and the owner alike, who must log in again.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
  ) {}

  async open(userId: string, client: ClientSeen): Promise<IssuedRefreshToken> {
    return this.unitOfWork.run(async () => {
      const sessionId = randomUUID();
      await this.unitOfWork.transaction.query(
        'INSERT INTO sessions (id, user_id, user_agent, ip) VALUES ($1, $2, $3, $4)',
        [sessionId, userId, clip(client.userAgent, 300), clip(client.ip, 64)],
      );
      return this.issue(sessionId, userId);
    });
  }

  /** Trades a refresh token for a new one (the old one is spent); reuse of a spent one ends its session. */
  async refresh(token: string, client: ClientSeen): Promise<IssuedRefreshToken> {
    const outcome = await this.unitOfWork.run(async () => {
      const manager = this.unitOfWork.transaction;
      const [row] = (await manager.query(
        `SELECT t.session_id, s.user_id, t.expires_at, t.rotated_at, s.ended_at
           FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
          WHERE t.token_hash = $1
          FOR UPDATE OF t, s`,
        [digestOf(token)],
      )) as TokenRow[];
      if (!row) return { kind: 'invalid' as const };
      if (row.rotated_at) {
        if (!row.ended_at) await this.markEnded(row.session_id, 'refresh_token_reuse');
        return { kind: 'reused' as const, sessionId: row.session_id, userId: row.user_id };
      }
      if (row.ended_at || row.expires_at.getTime() <= Date.now()) return { kind: 'invalid' as const };
      await manager.query('UPDATE refresh_tokens SET rotated_at = now() WHERE token_hash = $1', [digestOf(token)]);
      await manager.query('UPDATE sessions SET last_used_at = now(), user_agent = $2, ip = $3 WHERE id = $1', [
        row.session_id,
        clip(client.userAgent, 300),
        clip(client.ip, 64),
      ]);
      return { kind: 'rotated' as const, issued: await this.issue(row.session_id, row.user_id) };
    });
    if (outcome.kind === 'rotated') return outcome.issued;
    if (outcome.kind === 'reused') {
      this.logger.warn({ sessionId: outcome.sessionId, userId: outcome.userId }, 'spent refresh token presented again: session revoked');
    }
    throw new InvalidRefreshTokenError();
  }

  /** The user's sessions still in use, newest first. */
  async listActive(userId: string): Promise<Session[]> {
    return this.unitOfWork.reader.find(Session, { where: { userId, endedAt: IsNull() }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  /** Ends one session; another user's is not found, exactly like an unknown id. Ending it twice is harmless. */
  async end(sessionId: string, scope: Scope, reason: SessionEndReason): Promise<void> {
    await this.unitOfWork.run(async () => {
      const session = await this.unitOfWork.transaction.findOneBy(Session, { id: sessionId });
      if (!session || (!scope.everyone && session.userId !== scope.userId)) throw new SessionNotFoundError(sessionId);
      if (!session.endedAt) await this.markEnded(sessionId, reason);
    });
  }

  /** In the open unit of work: every session of the user but `keep` ends (a password change). */
  async endOthers(userId: string, keep: string | undefined, reason: SessionEndReason): Promise<void> {
    await this.unitOfWork.transaction.query(
      `UPDATE sessions SET ended_at = now(), end_reason = $3
        WHERE user_id = $1 AND ended_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [userId, keep ?? null, reason],
    );
  }

  async status(sessionId: string): Promise<SessionStatus> {
    const [row] = (await this.unitOfWork.reader.query(
      `SELECT s.user_id, u.role FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.ended_at IS NULL`,
      [sessionId],
    )) as { user_id: string; role: Role }[];
    return row ? { active: true, userId: row.user_id, role: row.role } : { active: false };
  }

  private async issue(sessionId: string, userId: string): Promise<IssuedRefreshToken> {
    const refreshToken = newRefreshToken();
    const refreshExpiresAt = new Date(Date.now() + this.settings.refreshTtlSeconds * 1000);
    await this.unitOfWork.transaction.query(
      'INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)',
      [digestOf(refreshToken), sessionId, refreshExpiresAt],
    );
    return { sessionId, userId, refreshToken, refreshExpiresAt };
  }

  private async markEnded(sessionId: string, reason: SessionEndReason): Promise<void> {
    await this.unitOfWork.transaction.query(
      'UPDATE sessions SET ended_at = now(), end_reason = $2 WHERE id = $1 AND ended_at IS NULL',
      [sessionId, reason],
    );
  }
}

const clip = (text: string | undefined, max: number): string | null => (text === undefined ? null : text.slice(0, max));
