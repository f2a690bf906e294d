CREATE TABLE "territory_coverage" (
	"level" text NOT NULL,
	"code" text NOT NULL,
	"radius_km" smallint NOT NULL,
	"figures" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "territory_coverage_level_code_radius_km_pk" PRIMARY KEY("level","code","radius_km")
);
