CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"actor_key_id" text,
	"actor_org_id" text,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "requests_per_minute" integer;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "tokens_per_minute" integer;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "chargeback_rate" text;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "price_overrides" jsonb;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "requests_per_minute" integer;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "tokens_per_minute" integer;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "operator" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "content_storage" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "pii_redaction" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "requests_per_minute" integer;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "tokens_per_minute" integer;--> statement-breakpoint
CREATE INDEX "audit_log_org_id_created_at_index" ON "audit_log" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_org_id_created_at_index" ON "audit_log" USING btree ("actor_org_id","created_at");--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_requests_per_minute_check" CHECK ("api_keys"."requests_per_minute" > 0);--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tokens_per_minute_check" CHECK ("api_keys"."tokens_per_minute" > 0);--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_requests_per_minute_check" CHECK ("organizations"."requests_per_minute" > 0);--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_tokens_per_minute_check" CHECK ("organizations"."tokens_per_minute" > 0);--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_requests_per_minute_check" CHECK ("projects"."requests_per_minute" > 0);--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_tokens_per_minute_check" CHECK ("projects"."tokens_per_minute" > 0);