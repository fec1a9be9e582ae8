CREATE TABLE "prompts" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"project_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prompts_project_name_unique" UNIQUE("org_id","project_id","name")
);
--> statement-breakpoint
CREATE TABLE "prompt_versions" (
	"prompt_id" text NOT NULL,
	"version" integer NOT NULL,
	"template" text NOT NULL,
	"system" text,
	"model" text,
	"temperature" double precision,
	"max_tokens" integer,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"weight" double precision,
	CONSTRAINT "prompt_versions_pk" PRIMARY KEY("prompt_id","version"),
	CONSTRAINT "prompt_versions_version_check" CHECK ("prompt_versions"."version" > 0),
	CONSTRAINT "prompt_versions_temperature_check" CHECK ("prompt_versions"."temperature" >= 0 and "prompt_versions"."temperature" <= 2),
	CONSTRAINT "prompt_versions_max_tokens_check" CHECK ("prompt_versions"."max_tokens" > 0),
	CONSTRAINT "prompt_versions_weight_check" CHECK ("prompt_versions"."weight" >= 0 and "prompt_versions"."weight" <= 1)
);
--> statement-breakpoint
ALTER TABLE "prompts" ADD CONSTRAINT "prompts_project_in_org_fk" FOREIGN KEY ("org_id","project_id") REFERENCES "public"."projects"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_versions" ADD CONSTRAINT "prompt_versions_prompt_id_prompts_id_fk" FOREIGN KEY ("prompt_id") REFERENCES "public"."prompts"("id") ON DELETE cascade ON UPDATE no action;
