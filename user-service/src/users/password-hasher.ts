import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/** Algorithm.Argon2id; the package declares its enum `const`, which isolated modules cannot read. */
const ARGON2ID = 2;

/**
 * argon2id at OWASP's minimum (19 MiB, 2 passes): ~20 ms on a thread-pool thread, so hashing
 * never blocks the event loop. @node-rs/argon2 ships its compiled binary inside the package
 * (no install script, no compiler), unlike `argon2`, whose prebuilt linux-x64 binary crashed here.
 */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  }

  verify(passwordHash: string, password: string): Promise<boolean> {
    return verify(passwordHash, password).catch(() => false);
  }
}
