CREATE TABLE "budgets" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"period" text NOT NULL,
	"amount_nanos" bigint NOT NULL,
	"soft_threshold" double precision DEFAULT 0.8 NOT NULL,
	"webhook_url" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budgets_org_scope_period_unique" UNIQUE("org_id","scope","scope_id","period"),
	CONSTRAINT "budgets_scope_check" CHECK ("budgets"."scope" in ('org', 'project', 'key', 'user')),
	CONSTRAINT "budgets_period_check" CHECK ("budgets"."period" in ('day', 'month')),
	CONSTRAINT "budgets_amount_nanos_check" CHECK ("budgets"."amount_nanos" >= 0),
	CONSTRAINT "budgets_soft_threshold_check" CHECK ("budgets"."soft_threshold" > 0 and "budgets"."soft_threshold" <= 1)
);
--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;
