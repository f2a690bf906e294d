CREATE TABLE "matching_suggestions" (
	"kind" text NOT NULL,
	"subject_id" integer NOT NULL,
	"items" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"stale_since" timestamp with time zone,
	CONSTRAINT "matching_suggestions_kind_subject_id_pk" PRIMARY KEY("kind","subject_id")
);
--> statement-breakpoint
CREATE TABLE "matching_suggestions_cursor" (
	"id" smallint PRIMARY KEY NOT NULL,
	"outbox_id" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "matching_suggestions_stale_idx" ON "matching_suggestions" USING btree ("computed_at") WHERE stale_since is not null;