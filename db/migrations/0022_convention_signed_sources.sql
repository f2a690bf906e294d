ALTER TABLE "partnership_conventions" ADD COLUMN "signed_sources" jsonb;--> statement-breakpoint
ALTER TABLE "partnership_conventions" ADD COLUMN "follows_live_sources" boolean DEFAULT false NOT NULL;