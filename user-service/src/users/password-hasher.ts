import { Injectable } from '@nestjs/common';
import { hash, verify, argon2id } from 'argon2';

/**
 * argon2id at OWASP's minimum (19 MiB, 2 passes): ~20 ms on a thread-pool thread, so hashing
 * never blocks the event loop. Tests swap in a fast fake.
 */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password, { type: argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  }

  verify(passwordHash: string, password: string): Promise<boolean> {
    return verify(passwordHash, password).catch(() => false);
  }
}
