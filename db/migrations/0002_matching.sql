CREATE TABLE "need_match_notices" (
	"need_id" integer NOT NULL,
	"partner_id" integer NOT NULL,
	"offer_id" integer,
	"score" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "need_match_notices_need_id_partner_id_pk" PRIMARY KEY("need_id","partner_id")
);
--> statement-breakpoint
CREATE TABLE "saved_search_sent_items" (
	"saved_search_id" integer NOT NULL,
	"item_id" integer NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "saved_search_sent_items_saved_search_id_item_id_pk" PRIMARY KEY("saved_search_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "saved_searches" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "saved_searches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" integer NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"query" text DEFAULT '' NOT NULL,
	"frequency" text DEFAULT 'weekly' NOT NULL,
	"unsubscribe_token" text NOT NULL,
	"last_checked_at" timestamp with time zone NOT NULL,
	"last_sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "needs" ADD COLUMN "periodicity" text;--> statement-breakpoint
ALTER TABLE "needs" ADD COLUMN "max_travel_km" integer;--> statement-breakpoint
ALTER TABLE "needs" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "needs" ADD COLUMN "code_insee" text;--> statement-breakpoint
ALTER TABLE "needs" ADD COLUMN "department_code" text;--> statement-breakpoint
ALTER TABLE "needs" ADD COLUMN "lat" double precision;--> statement-breakpoint
ALTER TABLE "needs" ADD COLUMN "lng" double precision;--> statement-breakpoint
ALTER TABLE "need_match_notices" ADD CONSTRAINT "need_match_notices_need_id_needs_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."needs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "need_match_notices" ADD CONSTRAINT "need_match_notices_partner_id_organisations_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_search_sent_items" ADD CONSTRAINT "saved_search_sent_items_saved_search_id_saved_searches_id_fk" FOREIGN KEY ("saved_search_id") REFERENCES "public"."saved_searches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_searches" ADD CONSTRAINT "saved_searches_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "saved_searches_user_idx" ON "saved_searches" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "saved_searches_unsubscribe_key" ON "saved_searches" USING btree ("unsubscribe_token");--> statement-breakpoint
ALTER TABLE "needs" ADD CONSTRAINT "needs_code_insee_communes_code_insee_fk" FOREIGN KEY ("code_insee") REFERENCES "public"."communes"("code_insee") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "needs_status_created_idx" ON "needs" USING btree ("status","created_at");