CREATE TABLE "coordination_digests" (
	"user_id" integer NOT NULL,
	"scope" text NOT NULL,
	"code" text NOT NULL,
	"unsubscribed_at" timestamp with time zone,
	"last_week" text,
	"last_sent_at" timestamp with time zone,
	CONSTRAINT "coordination_digests_user_id_scope_code_pk" PRIMARY KEY("user_id","scope","code")
);
--> statement-breakpoint
ALTER TABLE "coordination_digests" ADD CONSTRAINT "coordination_digests_user_id_scope_code_coordinator_scopes_user_id_scope_code_fk" FOREIGN KEY ("user_id","scope","code") REFERENCES "public"."coordinator_scopes"("user_id","scope","code") ON DELETE cascade ON UPDATE no action;