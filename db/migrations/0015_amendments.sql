ALTER TABLE "convention_signatures" ADD COLUMN "version" integer;--> statement-breakpoint
ALTER TABLE "convention_versions" ADD COLUMN "kind" text DEFAULT 'convention' NOT NULL;--> statement-breakpoint
ALTER TABLE "convention_versions" ADD COLUMN "dates" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "partnership_conventions" ADD COLUMN "amendment_proposed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "partnership_conventions" ADD COLUMN "amendment_proposed_by" integer;--> statement-breakpoint
ALTER TABLE "partnership_conventions" ADD COLUMN "amendment_side" text;--> statement-breakpoint
ALTER TABLE "partnership_conventions" ADD COLUMN "amendment_hash" text;--> statement-breakpoint
ALTER TABLE "partnership_conventions" ADD CONSTRAINT "partnership_conventions_amendment_proposed_by_users_id_fk" FOREIGN KEY ("amendment_proposed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
UPDATE "convention_signatures" s SET "version" = v."version" FROM "convention_versions" v WHERE v."partnership_id" = s."partnership_id" AND v."text_hash" = s."text_hash" AND s."voided_at" IS NULL;