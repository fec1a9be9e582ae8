CREATE TABLE "feature_flags" (
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"default_enabled" boolean NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feature_flags_pk" PRIMARY KEY("org_id","name")
);
--> statement-breakpoint
CREATE TABLE "feature_flag_overrides" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"flag_name" text NOT NULL,
	"project_id" text,
	"user_id" text,
	"enabled" boolean NOT NULL,
	CONSTRAINT "feature_flag_overrides_target_unique" UNIQUE NULLS NOT DISTINCT("org_id","flag_name","project_id","user_id"),
	CONSTRAINT "feature_flag_overrides_target_check" CHECK ("feature_flag_overrides"."project_id" is not null or "feature_flag_overrides"."user_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "guardrail_references" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"project_id" text NOT NULL,
	"name" text NOT NULL,
	"text" text NOT NULL,
	"threshold" double precision NOT NULL,
	"action" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guardrail_references_threshold_check" CHECK ("guardrail_references"."threshold" > 0 and "guardrail_references"."threshold" <= 1),
	CONSTRAINT "guardrail_references_action_check" CHECK ("guardrail_references"."action" in ('allow', 'flag', 'block'))
);
--> statement-breakpoint
CREATE TABLE "retention_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"org_id" text NOT NULL,
	"retention_days" integer NOT NULL,
	"cutoff" timestamp (3) with time zone NOT NULL,
	"deleted" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feature_flags" ADD CONSTRAINT "feature_flags_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_flag_overrides" ADD CONSTRAINT "feature_flag_overrides_flag_fk" FOREIGN KEY ("org_id","flag_name") REFERENCES "public"."feature_flags"("org_id","name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_flag_overrides" ADD CONSTRAINT "feature_flag_overrides_project_in_org_fk" FOREIGN KEY ("org_id","project_id") REFERENCES "public"."projects"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardrail_references" ADD CONSTRAINT "guardrail_references_project_in_org_fk" FOREIGN KEY ("org_id","project_id") REFERENCES "public"."projects"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "guardrail_references_org_id_project_id_index" ON "guardrail_references" USING btree ("org_id","project_id");--> statement-breakpoint
CREATE INDEX "retention_runs_org_id_created_at_index" ON "retention_runs" USING btree ("org_id","created_at");
