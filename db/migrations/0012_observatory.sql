CREATE TABLE "territory_statistics" (
	"level" text NOT NULL,
	"code" text NOT NULL,
	"figures" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "territory_statistics_level_code_pk" PRIMARY KEY("level","code")
);
--> statement-breakpoint
CREATE TABLE "unmet_searches" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "unmet_searches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"commune_code" text,
	"department_code" text NOT NULL,
	"theme" text,
	"age" smallint,
	"radius_km" smallint,
	"weekday" smallint NOT NULL,
	"searched_on" date NOT NULL,
	"source" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "unmet_searches_department_idx" ON "unmet_searches" USING btree ("department_code","searched_on");--> statement-breakpoint
CREATE INDEX "unmet_searches_commune_idx" ON "unmet_searches" USING btree ("commune_code");