/**
 * An argon2id hash of a random password nobody knows, made with PasswordHasher's parameters
 * (19 MiB, 2 passes). Checking a password against it costs what checking a real user's costs, so
 * a login for an unknown email takes as long as one for a known email with a wrong password.
 * A test keeps its parameters equal to PasswordHasher's.
 */
export const DUMMY_PASSWORD_HASH = '$argon2id$v=19$m=19456,p=1,t=2$Pfb3i8yYM2Gt4H+SBlXRkw$slH6O+doNC827CbD71JGV7GfatQZIMLz0fRJjpNIb6w';
