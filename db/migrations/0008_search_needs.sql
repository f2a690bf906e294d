CREATE TABLE "search_needs" (
	"id" integer PRIMARY KEY NOT NULL,
	"acm_id" integer NOT NULL,
	"doc" jsonb NOT NULL,
	"themes" text[] NOT NULL,
	"subthemes" text[] NOT NULL,
	"age_min" integer NOT NULL,
	"age_max" integer NOT NULL,
	"age_bands" text[] NOT NULL,
	"slots" text[] NOT NULL,
	"venues" text[] NOT NULL,
	"accessibility" text[] NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"pt" "cube",
	"lnglat" "point",
	"code_insee" text,
	"department" text,
	"region" text,
	"tsv" "tsvector" NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "search_needs_tsv_idx" ON "search_needs" USING gin ("tsv");--> statement-breakpoint
CREATE INDEX "search_needs_pt_idx" ON "search_needs" USING gist ("pt");--> statement-breakpoint
CREATE INDEX "search_needs_lnglat_idx" ON "search_needs" USING gist ("lnglat");--> statement-breakpoint
CREATE INDEX "search_needs_created_idx" ON "search_needs" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);