CREATE TABLE "search_offers" (
	"id" integer PRIMARY KEY NOT NULL,
	"organisation_id" integer NOT NULL,
	"title" text NOT NULL,
	"doc" jsonb NOT NULL,
	"themes" text[] NOT NULL,
	"subthemes" text[] NOT NULL,
	"formats" text[] NOT NULL,
	"accessibility" text[] NOT NULL,
	"natures" text[] NOT NULL,
	"slots" text[] NOT NULL,
	"age_bands" text[] NOT NULL,
	"venue" text NOT NULL,
	"price" text NOT NULL,
	"org_type" text,
	"age_min" integer NOT NULL,
	"age_max" integer NOT NULL,
	"theme_bits" integer NOT NULL,
	"age_bits" integer NOT NULL,
	"format_bits" integer NOT NULL,
	"venue_bits" integer NOT NULL,
	"price_bits" integer NOT NULL,
	"access_bits" integer NOT NULL,
	"org_bits" integer NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"pt" "cube",
	"lnglat" "point",
	"travel_km" integer,
	"travel_area" "cube",
	"code_insee" text,
	"department" text,
	"region" text,
	"departments_served" text[] NOT NULL,
	"departments" text[] NOT NULL,
	"regions" text[] NOT NULL,
	"tsv" "tsvector" NOT NULL,
	"published_at" timestamp with time zone,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search_state" (
	"kind" text PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"rebuilt_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "search_synonyms" (
	"term" text NOT NULL,
	"expansion" text NOT NULL,
	CONSTRAINT "search_synonyms_term_expansion_pk" PRIMARY KEY("term","expansion")
);
--> statement-breakpoint
CREATE TABLE "search_words" (
	"word" text PRIMARY KEY NOT NULL,
	"sig" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "search_offers_tsv_idx" ON "search_offers" USING gin ("tsv");--> statement-breakpoint
CREATE INDEX "search_offers_pt_idx" ON "search_offers" USING gist ("pt");--> statement-breakpoint
CREATE INDEX "search_offers_travel_idx" ON "search_offers" USING gist ("travel_area") WHERE "search_offers"."travel_area" is not null;--> statement-breakpoint
CREATE INDEX "search_offers_lnglat_idx" ON "search_offers" USING gist ("lnglat");--> statement-breakpoint
CREATE INDEX "search_offers_themes_idx" ON "search_offers" USING gin ("themes");--> statement-breakpoint
CREATE INDEX "search_offers_subthemes_idx" ON "search_offers" USING gin ("subthemes");--> statement-breakpoint
CREATE INDEX "search_offers_departments_idx" ON "search_offers" USING gin ("departments");--> statement-breakpoint
CREATE INDEX "search_offers_regions_idx" ON "search_offers" USING gin ("regions");--> statement-breakpoint
CREATE INDEX "search_offers_recent_idx" ON "search_offers" USING btree ("published_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "search_offers_organisation_idx" ON "search_offers" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "search_words_trgm_idx" ON "search_words" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "search_words_sig_idx" ON "search_words" USING btree ("sig");