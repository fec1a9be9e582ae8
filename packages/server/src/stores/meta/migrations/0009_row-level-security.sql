-- Row-level security (see docs/postgres.md). Tenant queries run as the role
-- tollgate_app with tollgate.org_id (and tollgate.project_id) set for the
-- transaction; the few cross-tenant operations run as tollgate_system. Neither
-- role can log in or bypass row-level security, and FORCE makes the tables'
-- owner obey the policies too: a query outside both roles sees no row (unless
-- it runs as a superuser or a BYPASSRLS role, which ignore every policy).
-- A policy TO a role also applies to the role's members: the system policies
-- test current_user, so the connecting role, a member of tollgate_system in
-- order to SET ROLE to it, does not see every row merely by being one.
DO $$
DECLARE
  wanted text;
BEGIN
  FOREACH wanted IN ARRAY ARRAY['tollgate_app', 'tollgate_system'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = wanted) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN NOBYPASSRLS', wanted);
      EXCEPTION
        -- Another database on this server created it at the same moment.
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'Tollgate needs the role % and % may not create roles', wanted, current_user
            USING HINT = format('As a superuser run: CREATE ROLE %I NOLOGIN NOBYPASSRLS; GRANT %I TO %I;', wanted, wanted, current_user);
      END;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = wanted AND (rolsuper OR rolbypassrls)) THEN
      RAISE EXCEPTION 'The role % must not be a superuser nor have BYPASSRLS: row-level security would not apply', wanted
        USING HINT = format('ALTER ROLE %I NOSUPERUSER NOBYPASSRLS;', wanted);
    END IF;
    IF NOT pg_has_role(current_user, wanted, 'MEMBER') THEN
      BEGIN
        EXECUTE format('GRANT %I TO %I', wanted, current_user);
      EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
        RAISE EXCEPTION 'Tollgate connects as % and must be able to SET ROLE %', current_user, wanted
          USING HINT = format('As a superuser run: GRANT %I TO %I;', wanted, current_user);
      END;
    END IF;
  END LOOP;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO tollgate_app, tollgate_system', current_schema());
  EXECUTE format(
    'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO tollgate_app, tollgate_system',
    current_schema());
  -- Tables of later migrations get the same grants; each still needs its own policies.
  EXECUTE format(
    'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tollgate_app, tollgate_system',
    current_schema());
END $$;
--> statement-breakpoint
ALTER TABLE "organizations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "organizations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "organizations_tenant" ON "organizations" TO tollgate_app USING ("id" = current_setting('tollgate.org_id', true)) WITH CHECK ("id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "organizations_system" ON "organizations" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "projects" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "projects" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "projects_tenant" ON "projects" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true) AND "id" = coalesce(nullif(current_setting('tollgate.project_id', true), ''), "id")) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true) AND "id" = coalesce(nullif(current_setting('tollgate.project_id', true), ''), "id"));
--> statement-breakpoint
CREATE POLICY "projects_system" ON "projects" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "api_keys_tenant" ON "api_keys" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "api_keys_system" ON "api_keys" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "gateway_routes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "gateway_routes" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "gateway_routes_tenant" ON "gateway_routes" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "gateway_routes_system" ON "gateway_routes" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "provider_credentials" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "provider_credentials" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "provider_credentials_tenant" ON "provider_credentials" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "provider_credentials_system" ON "provider_credentials" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_log" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "audit_log_tenant" ON "audit_log" TO tollgate_app USING (("org_id" = current_setting('tollgate.org_id', true) OR "actor_org_id" = current_setting('tollgate.org_id', true))) WITH CHECK (("org_id" = current_setting('tollgate.org_id', true) OR "actor_org_id" = current_setting('tollgate.org_id', true)));
--> statement-breakpoint
CREATE POLICY "audit_log_system" ON "audit_log" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "prompts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "prompts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "prompts_tenant" ON "prompts" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true) AND "project_id" = coalesce(nullif(current_setting('tollgate.project_id', true), ''), "project_id")) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true) AND "project_id" = coalesce(nullif(current_setting('tollgate.project_id', true), ''), "project_id"));
--> statement-breakpoint
CREATE POLICY "prompts_system" ON "prompts" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "prompt_versions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "prompt_versions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "prompt_versions_tenant" ON "prompt_versions" TO tollgate_app USING (EXISTS (SELECT 1 FROM "prompts" WHERE "prompts"."id" = "prompt_versions"."prompt_id")) WITH CHECK (EXISTS (SELECT 1 FROM "prompts" WHERE "prompts"."id" = "prompt_versions"."prompt_id"));
--> statement-breakpoint
CREATE POLICY "prompt_versions_system" ON "prompt_versions" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "budgets" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "budgets" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "budgets_tenant" ON "budgets" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "budgets_system" ON "budgets" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "alert_rules" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "alert_rules" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "alert_rules_tenant" ON "alert_rules" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "alert_rules_system" ON "alert_rules" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "feature_flags" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "feature_flags" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "feature_flags_tenant" ON "feature_flags" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "feature_flags_system" ON "feature_flags" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "feature_flag_overrides" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "feature_flag_overrides" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "feature_flag_overrides_tenant" ON "feature_flag_overrides" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "feature_flag_overrides_system" ON "feature_flag_overrides" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "guardrail_references" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "guardrail_references" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "guardrail_references_tenant" ON "guardrail_references" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true) AND "project_id" = coalesce(nullif(current_setting('tollgate.project_id', true), ''), "project_id")) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true) AND "project_id" = coalesce(nullif(current_setting('tollgate.project_id', true), ''), "project_id"));
--> statement-breakpoint
CREATE POLICY "guardrail_references_system" ON "guardrail_references" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "retention_runs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "retention_runs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "retention_runs_tenant" ON "retention_runs" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "retention_runs_system" ON "retention_runs" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
--> statement-breakpoint
ALTER TABLE "dead_letters" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "dead_letters" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "dead_letters_tenant" ON "dead_letters" TO tollgate_app USING ("org_id" = current_setting('tollgate.org_id', true)) WITH CHECK ("org_id" = current_setting('tollgate.org_id', true));
--> statement-breakpoint
CREATE POLICY "dead_letters_system" ON "dead_letters" TO tollgate_system USING (current_user = 'tollgate_system') WITH CHECK (current_user = 'tollgate_system');
