CREATE TABLE "search_offer_changes" (
	"version" bigint NOT NULL,
	"offer_id" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "search_offer_changes_version_idx" ON "search_offer_changes" USING btree ("version");