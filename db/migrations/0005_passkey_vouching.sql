ALTER TABLE "sessions" ADD COLUMN "confirmed_with_passkey" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "passkey_removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_confirmed_with_passkey_passkeys_id_fk" FOREIGN KEY ("confirmed_with_passkey") REFERENCES "public"."passkeys"("id") ON DELETE set null ON UPDATE no action;