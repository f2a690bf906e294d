CREATE TABLE "calendar_feeds" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "calendar_feeds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" integer NOT NULL,
	"partnership_id" integer,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "convention_comments" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "convention_comments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"partnership_id" integer NOT NULL,
	"section" text,
	"author_id" integer,
	"organisation_id" integer,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "convention_signatures" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "convention_signatures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"partnership_id" integer NOT NULL,
	"side" text NOT NULL,
	"organisation_id" integer NOT NULL,
	"user_id" integer,
	"signer_name" text NOT NULL,
	"signer_role" text NOT NULL,
	"text_hash" text NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"voided_at" timestamp with time zone,
	"void_reason" text
);
--> statement-breakpoint
CREATE TABLE "convention_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "convention_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"partnership_id" integer NOT NULL,
	"version" integer NOT NULL,
	"text" text NOT NULL,
	"text_hash" text NOT NULL,
	"signatures" jsonb NOT NULL,
	"signed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partnership_conventions" (
	"partnership_id" integer PRIMARY KEY NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"signed_versions" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" integer
);
--> statement-breakpoint
CREATE TABLE "partnership_deadlines" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "partnership_deadlines_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"partnership_id" integer NOT NULL,
	"due_date" date NOT NULL,
	"label" text NOT NULL,
	"side" text,
	"done_at" timestamp with time zone,
	"done_by" integer,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partnership_meetings" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "partnership_meetings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"partnership_id" integer NOT NULL,
	"purpose" text DEFAULT 'meeting' NOT NULL,
	"date" date NOT NULL,
	"start_time" text NOT NULL,
	"end_time" text NOT NULL,
	"place" text DEFAULT '' NOT NULL,
	"agenda" text DEFAULT '' NOT NULL,
	"minutes" text DEFAULT '' NOT NULL,
	"participants" text DEFAULT '' NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partnership_parties" (
	"partnership_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	"side" text NOT NULL,
	"commitments" text DEFAULT '' NOT NULL,
	"human_resources" text DEFAULT '' NOT NULL,
	"material_resources" text DEFAULT '' NOT NULL,
	"financial_resources" text DEFAULT '' NOT NULL,
	"referent_name" text DEFAULT '' NOT NULL,
	"referent_contact" text DEFAULT '' NOT NULL,
	"intervenants" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"confirmed_at" timestamp with time zone,
	"confirmed_by" integer,
	"minutes_approved_at" timestamp with time zone,
	"minutes_approved_by" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partnership_parties_partnership_id_side_pk" PRIMARY KEY("partnership_id","side")
);
--> statement-breakpoint
CREATE TABLE "partnership_reviews" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "partnership_reviews_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"partnership_id" integer NOT NULL,
	"side" text NOT NULL,
	"organisation_id" integer NOT NULL,
	"answers" jsonb NOT NULL,
	"recommendation" text,
	"recommendation_reason" text DEFAULT '' NOT NULL,
	"submitted_at" timestamp with time zone,
	"submitted_by" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partnership_sessions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "partnership_sessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"partnership_id" integer NOT NULL,
	"date" date NOT NULL,
	"start_time" text NOT NULL,
	"end_time" text NOT NULL,
	"status" text DEFAULT 'planned' NOT NULL,
	"cancel_reason" text,
	"children_present" integer,
	"notes" text DEFAULT '' NOT NULL,
	"manual" boolean DEFAULT false NOT NULL,
	"original_date" date,
	"reminder_sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "prescription_message" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "objectives" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "expected_results" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "final_realisation" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "reasons" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "charter_axes" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "children_expected" integer;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "age_min" integer;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "age_max" integer;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "budget_eur" numeric(10, 2);--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "formalisation" text DEFAULT 'convention' NOT NULL;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "period_start" date;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "period_end" date;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "slot" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "start_time" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "end_time" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "periodicity" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "monthly_week" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "cycle_count" integer;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "place" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "decision" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "decision_reason" text;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "decided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "decided_by" integer;--> statement-breakpoint
ALTER TABLE "partnerships" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "convention_comments" ADD CONSTRAINT "convention_comments_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "convention_comments" ADD CONSTRAINT "convention_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "convention_comments" ADD CONSTRAINT "convention_comments_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "convention_signatures" ADD CONSTRAINT "convention_signatures_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "convention_signatures" ADD CONSTRAINT "convention_signatures_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "convention_signatures" ADD CONSTRAINT "convention_signatures_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "convention_versions" ADD CONSTRAINT "convention_versions_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_conventions" ADD CONSTRAINT "partnership_conventions_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_conventions" ADD CONSTRAINT "partnership_conventions_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_deadlines" ADD CONSTRAINT "partnership_deadlines_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_deadlines" ADD CONSTRAINT "partnership_deadlines_done_by_users_id_fk" FOREIGN KEY ("done_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_deadlines" ADD CONSTRAINT "partnership_deadlines_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_meetings" ADD CONSTRAINT "partnership_meetings_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_meetings" ADD CONSTRAINT "partnership_meetings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_parties" ADD CONSTRAINT "partnership_parties_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_parties" ADD CONSTRAINT "partnership_parties_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_parties" ADD CONSTRAINT "partnership_parties_confirmed_by_users_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_parties" ADD CONSTRAINT "partnership_parties_minutes_approved_by_users_id_fk" FOREIGN KEY ("minutes_approved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_reviews" ADD CONSTRAINT "partnership_reviews_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_sessions" ADD CONSTRAINT "partnership_sessions_partnership_id_partnerships_id_fk" FOREIGN KEY ("partnership_id") REFERENCES "public"."partnerships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_feeds_token_key" ON "calendar_feeds" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "calendar_feeds_user_idx" ON "calendar_feeds" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "convention_comments_partnership_idx" ON "convention_comments" USING btree ("partnership_id","created_at");--> statement-breakpoint
CREATE INDEX "convention_signatures_partnership_idx" ON "convention_signatures" USING btree ("partnership_id");--> statement-breakpoint
CREATE UNIQUE INDEX "convention_versions_key" ON "convention_versions" USING btree ("partnership_id","version");--> statement-breakpoint
CREATE INDEX "partnership_deadlines_partnership_idx" ON "partnership_deadlines" USING btree ("partnership_id","due_date");--> statement-breakpoint
CREATE INDEX "partnership_meetings_partnership_idx" ON "partnership_meetings" USING btree ("partnership_id","date");--> statement-breakpoint
CREATE INDEX "partnership_parties_org_idx" ON "partnership_parties" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "partnership_reviews_key" ON "partnership_reviews" USING btree ("partnership_id","side");--> statement-breakpoint
CREATE INDEX "partnership_sessions_partnership_idx" ON "partnership_sessions" USING btree ("partnership_id","date");--> statement-breakpoint
CREATE INDEX "partnership_sessions_due_idx" ON "partnership_sessions" USING btree ("status","date");--> statement-breakpoint
ALTER TABLE "partnerships" ADD CONSTRAINT "partnerships_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partnerships_prescribed_idx" ON "partnerships" USING btree ("prescribed_by");