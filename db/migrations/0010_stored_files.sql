CREATE TABLE "stored_files" (
	"key" text PRIMARY KEY NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Photos and PDFs are already compressed: store them out of line without trying to compress them again.
ALTER TABLE "stored_files" ALTER COLUMN "data" SET STORAGE EXTERNAL;
