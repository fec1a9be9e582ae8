CREATE TABLE "dead_letters" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"event_id" text NOT NULL,
	"event_time" text NOT NULL,
	"error" text NOT NULL,
	"error_code" integer,
	"row_base64" text NOT NULL,
	"row_bytes" bigint NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "dead_letters_org_id_created_at_index" ON "dead_letters" USING btree ("org_id","created_at");
