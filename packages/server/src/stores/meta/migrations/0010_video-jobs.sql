CREATE TABLE "video_jobs" (
	"org_id" text NOT NULL,
	"id" text NOT NULL,
	"project_id" text NOT NULL,
	"request_id" text NOT NULL,
	"event_id" text NOT NULL,
	"model_requested" text NOT NULL,
	"route_model" text NOT NULL,
	"deployment_id" text NOT NULL,
	"provider" text NOT NULL,
	"served_model" text NOT NULL,
	"upstream_id" text NOT NULL,
	"prompt" text,
	"seconds" real,
	"size" text,
	"status" text NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"error" jsonb,
	"simulated" boolean DEFAULT false NOT NULL,
	"trace" jsonb,
	"user_id" text,
	"attempts" jsonb NOT NULL,
	"poll_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"next_poll_at" timestamp (3) with time zone NOT NULL,
	"deadline_at" timestamp (3) with time zone NOT NULL,
	"completed_at" timestamp (3) with time zone,
	"recorded_at" timestamp (3) with time zone,
	"lease_owner" text,
	"lease_until" timestamp (3) with time zone,
	CONSTRAINT "video_jobs_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE INDEX "video_jobs_org_id_project_id_created_at_index" ON "video_jobs" USING btree ("org_id","project_id","created_at");
--> statement-breakpoint
CREATE INDEX "video_jobs_unrecorded_next_poll_at_index" ON "video_jobs" USING btree ("next_poll_at") WHERE "recorded_at" IS NULL;
--> statement-breakpoint
ALTER TABLE "video_jobs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "video_jobs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "video_jobs_tenant" ON "video_jobs" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true) AND "project_id" = coalesce(nullif(current_setting('tollgate.project_id', true), ''), "project_id")) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true) AND "project_id" = coalesce(nullif(current_setting('tollgate.project_id', true), ''), "project_id"));
--> statement-breakpoint
CREATE POLICY "video_jobs_system" ON "video_jobs" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
