ALTER TABLE "notifications" ADD COLUMN "email_mode" text DEFAULT 'immediate' NOT NULL;--> statement-breakpoint
CREATE INDEX "notifications_digest_idx" ON "notifications" USING btree ("user_id","created_at") WHERE email_mode = 'digest' and emailed_at is null;--> statement-breakpoint
CREATE INDEX "requests_waiting_idx" ON "requests" USING btree ("status","expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "requests_open_offer_key" ON "requests" USING btree ("acm_id","offer_id") WHERE direction = 'acm_to_partner' and offer_id is not null and status in ('sent', 'in_discussion');