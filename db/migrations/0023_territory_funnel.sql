CREATE TABLE "figures_dirty" (
	"id" smallint PRIMARY KEY NOT NULL,
	"since" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "territory_funnel" (
	"level" text NOT NULL,
	"code" text NOT NULL,
	"figures" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "territory_funnel_level_code_pk" PRIMARY KEY("level","code")
);
