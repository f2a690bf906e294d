ALTER TABLE "partnerships" ADD COLUMN "need_id" integer;--> statement-breakpoint
ALTER TABLE "partnerships" ADD CONSTRAINT "partnerships_need_id_needs_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."needs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partnerships_need_idx" ON "partnerships" USING btree ("need_id");