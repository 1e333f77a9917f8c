import "server-only";
import { hash, verify } from "@node-rs/argon2";
import { createHash, createHmac, randomBytes, randomInt } from "node:crypto";

/** argon2id (the library default algorithm) with OWASP's recommended minimum cost. */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A URL-safe random secret of 256 bits. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Shape of randomToken() output: lets callers reject malformed input before any argon2 work. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A 6-digit code, uniformly random. */
export function randomCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, "0");
}

export const CODE_PATTERN = /^\d{6}$/;

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, ARGON2);
}

export async function verifySecret(hashed: string, secret: string): Promise<boolean> {
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function hmac(key: string, value: string): Buffer {
  return createHmac("sha256", key).update(value).digest();
}
