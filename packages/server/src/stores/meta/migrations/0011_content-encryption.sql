ALTER TABLE "projects" ADD COLUMN "content_encryption" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
CREATE TABLE "content_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"wrapped_key" text NOT NULL,
	"master_key_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "content_keys_org_id_unique" UNIQUE("org_id")
);
--> statement-breakpoint
ALTER TABLE "content_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "content_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "content_keys_tenant" ON "content_keys" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "content_keys_system" ON "content_keys" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
