ALTER TABLE "partnerships" ADD COLUMN "proposed_decision" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "proposed_decision_reason" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "proposed_decision_side" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "proposed_decision_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "proposed_decision_by" integer;--> statement-breakpoint
ALTER TABLE "partnerships" ADD CONSTRAINT "partnerships_proposed_decision_by_users_id_fk" FOREIGN KEY ("proposed_decision_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;