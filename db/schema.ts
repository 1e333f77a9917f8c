import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
};

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: text("username").notNull(),
    /** Stored trimmed and lowercased. */
    email: text("email").notNull(),
    name: text("name"),
    /** Random WebAuthn user handle (base64url), never derived from the email or id. */
    webauthnUserId: text("webauthn_user_id").notNull(),
    /** Every account's address is proven before the account exists. */
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }).notNull(),
    /** Passkey-only mode: no sign-in (or "confirm it's you") by email; needs two passkeys. */
    emailSigninDisabled: boolean("email_signin_disabled").notNull().default(false),
    /** When a passkey last left the account: email sign-ins stay held for 7 days after (lib/hold.ts). */
    passkeyRemovedAt: timestamp("passkey_removed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    // Case-insensitive uniqueness: sign-in looks names up case-insensitively too.
    uniqueIndex("users_username_lower_key").on(sql`lower(${t.username})`),
    uniqueIndex("users_email_key").on(t.email),
    uniqueIndex("users_webauthn_user_id_key").on(t.webauthnUserId),
  ],
);

export const passkeys = pgTable(
  "passkeys",
  {
    /** Credential id, base64url; unique across all users. */
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: text("transports").array().notNull().default(sql`'{}'::text[]`),
    deviceType: text("device_type", { enum: ["singleDevice", "multiDevice"] }).notNull(),
    backedUp: boolean("backed_up").notNull(),
    aaguid: text("aaguid").notNull(),
    name: text("name").notNull(),
    ...timestamps,
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    /** The session (sessions.id) that added it; kept after that session ends, to undo what it did. */
    createdInSession: text("created_in_session"),
    /**
     * The passkey that session had signed in with (null after an email sign-in or at sign-up), so
     * "This wasn't me" can follow a chain of added passkeys after the sessions in it have ended.
     */
    createdWithPasskey: text("created_with_passkey"),
    /** Added by a session on hold (see lib/hold.ts): until then, it is held too. */
    heldUntil: timestamp("held_until", { withTimezone: true }),
  },
  (t) => [index("passkeys_user_id_idx").on(t.userId)],
);

export const sessions = pgTable(
  "sessions",
  {
    /** SHA-256 (hex) of the token in the cookie, so a database leak yields no usable cookie. */
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    method: text("method", { enum: ["passkey", "email"] }).notNull(),
    passkeyId: text("passkey_id").references(() => passkeys.id, { onDelete: "set null" }),
    ...timestamps,
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Last "confirm it's you" (passkey or emailed code): restarts the fresh-sign-in window. */
    reauthenticatedAt: timestamp("reauthenticated_at", { withTimezone: true }),
    /** The passkey of the last "confirm it's you" with a passkey: with passkey_id, what vouches for this session (lib/hold.ts). */
    confirmedWithPasskey: text("confirmed_with_passkey").references(() => passkeys.id, { onDelete: "set null" }),
    userAgent: text("user_agent").notNull().default(""),
    /** Risky changes refused until then (an email sign-in on an account with passkeys; lib/hold.ts). */
    heldUntil: timestamp("held_until", { withTimezone: true }),
    /** Why this sign-in may be offered a passkey on its device (lib/passkey-offer.ts); null once answered. */
    passkeyOffer: text("passkey_offer", { enum: ["email", "other-device", "security-key"] }),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId), check("sessions_method_check", sql`${t.method} in ('passkey', 'email')`)],
);

/**
 * What the server remembers of a browser (its "device" cookie's id, hashed) for an account
 * (lib/device.ts): that the account has been used there (a row exists: its sign-ins there aren't
 * announced), and the passkey offer's answers: "don't ask", "not now" until when, and a
 * fingerprint of a passkey it holds. A few accounts per device, newest kept.
 */
export const deviceNotes = pgTable(
  "device_notes",
  {
    /** SHA-256 (hex) of the device cookie's id. */
    deviceHash: text("device_hash").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    never: boolean("never").notNull().default(false),
    until: timestamp("until", { withTimezone: true }),
    /** passkeyFingerprint of a passkey this device holds. */
    here: text("here"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.deviceHash, t.userId] }), index("device_notes_user_id_idx").on(t.userId)],
);

/** Security-relevant events per account (sign-ins, passkey changes, counter regressions). */
export const activity = pgTable(
  "activity",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    detail: jsonb("detail").$type<Record<string, string>>().notNull().default({}),
    ...timestamps,
  },
  (t) => [index("activity_user_created_idx").on(t.userId, t.createdAt)],
);

export type User = typeof users.$inferSelect;
export type Passkey = typeof passkeys.$inferSelect;
export type Session = typeof sessions.$inferSelect;
