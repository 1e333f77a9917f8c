CREATE TABLE "device_notes" (
	"device_hash" text NOT NULL,
	"user_id" uuid NOT NULL,
	"never" boolean DEFAULT false NOT NULL,
	"until" timestamp with time zone,
	"here" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_notes_device_hash_user_id_pk" PRIMARY KEY("device_hash","user_id")
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "passkey_offer" text;--> statement-breakpoint
ALTER TABLE "device_notes" ADD CONSTRAINT "device_notes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "device_notes_user_id_idx" ON "device_notes" USING btree ("user_id");