-- A device note now also says the account has been used in that browser (lib/device.ts): every known device becomes a note, keeping what notes there were.
INSERT INTO "device_notes" ("device_hash", "user_id", "updated_at") SELECT "device_hash", "user_id", "created_at" FROM "known_devices" ON CONFLICT DO NOTHING;--> statement-breakpoint
DROP TABLE "known_devices" CASCADE;
