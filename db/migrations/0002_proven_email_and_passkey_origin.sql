-- Accounts are created only once their address is proven; no row should lack the date.
UPDATE "users" SET "email_verified_at" = "created_at" WHERE "email_verified_at" IS NULL;--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "email_verified_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "passkeys" ADD COLUMN "created_in_session" text;
