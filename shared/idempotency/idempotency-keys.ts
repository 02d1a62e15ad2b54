// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { IdempotencyKeyInFlightError, IdempotencyKeyReusedError } from './idempotency-key';

/** One request's claim on a key. */
export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
}

/** The answer stored for a key, replayed to every later request with the same key and body. */
export interface StoredAnswer {
  readonly status: number;
  /** The JSON body exactly as first sent (text: jsonb would reorder its keys). */
  readonly body: string;
}

/** Advisory-lock class of idempotency keys (two-int4 lock space; no other lock here uses it). */
const LOCK_CLASS = 0x1de0;

/**
 * The `idempotency_keys` table. Every method runs in the open unit of work: the key row commits
 * with the rows and outbox events of the write it stands for, or not at all.
 */
@Injectable()
export class IdempotencyKeys {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  /**
   * Takes the key for this transaction. Returns the stored answer when an earlier request with the
   * same key and body completed; null when this request is the first and must be processed.
   * Throws 409 while another transaction holds the key (its request is still running: the
   * advisory lock is released at its commit or rollback), 422 when the key's earlier request had
   * another fingerprint.
   */
  async claim(claim: IdempotencyClaim): Promise<StoredAnswer | null> {
    const tx = this.unitOfWork.transaction;
    const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked', [
      LOCK_CLASS,
      `${claim.scope}\n${claim.key}`,
    ])) as { locked: boolean }[];
    if (!locked) throw new IdempotencyKeyInFlightError(claim.key);
    const rows = (await tx.query(
      'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2',
      [claim.scope, claim.key],
    )) as { request_hash: string; response_status: number; response_body: string }[];
    if (rows.length === 0) return null;
    if (rows[0].request_hash !== claim.fingerprint) throw new IdempotencyKeyReusedError(claim.key);
    return { status: rows[0].response_status, body: rows[0].response_body };
  }

  /** Stores the first request's answer, in the same transaction as its write. */
  async record(claim: IdempotencyClaim, answer: StoredAnswer): Promise<void> {
    await this.unitOfWork.transaction.query(
      `INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5)`,
      [claim.scope, claim.key, claim.fingerprint, answer.status, answer.body],
    );
  }

  /** Deletes keys older than the retention; returns how many. */
  async deleteOlderThan(retentionSeconds: number): Promise<number> {
    const result = (await this.unitOfWork.reader.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)`,
      [retentionSeconds],
    )) as [unknown[], number];
    return result[1];
  }
}
