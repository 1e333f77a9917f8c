import "server-only";
import { eq, sql } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { getDb, isUniqueViolation } from "@/db/client";
import { users, type User } from "@/db/schema";
import { recordActivity } from "./activity";
import type { Result } from "./shared/errors";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Whether a name typed on the sign-in page is an email (usernames can't contain "@"). */
export function isEmailIdentifier(identifier: string): boolean {
  return identifier.includes("@");
}

/** Username (any letter case) or email, as typed on the sign-in page. */
export async function findUserByIdentifier(identifier: string): Promise<User | null> {
  const value = identifier.trim();
  if (!value) return null;
  const db = await getDb();
  const where = isEmailIdentifier(value) ? eq(users.email, normalizeEmail(value)) : eq(sql`lower(${users.username})`, value.toLowerCase());
  const [user] = await db.select().from(users).where(where).limit(1);
  return user ?? null;
}

export async function findUserById(id: string): Promise<User | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user ?? null;
}

export async function usernameTaken(username: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = ${username.toLowerCase()}`).limit(1);
  return Boolean(row);
}

export async function findUserByEmail(email: string): Promise<User | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
  return user ?? null;
}

/**
 * Creates a user whose email is proven (the only kind that exists). A concurrent sign-up that
 * won the race surfaces as the same friendly error as the form's check.
 */
export async function createVerifiedUser(input: { username: string; email: string; name: string | null }): Promise<Result<{ user: User }>> {
  const db = await getDb();
  try {
    const user = await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(users)
        .values({
          username: input.username,
          email: normalizeEmail(input.email),
          name: input.name,
          webauthnUserId: randomBytes(32).toString("base64url"),
          emailVerifiedAt: new Date(),
        })
        .returning();
      if (!created) throw new Error("insert returned no row");
      await recordActivity(created.id, "account_created", {}, tx);
      return created;
    });
    return { ok: true, user };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return { ok: false, error: (await usernameTaken(input.username)) ? "username_taken" : "email_taken" };
  }
}
