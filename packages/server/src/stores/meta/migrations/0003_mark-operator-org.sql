-- Deployments bootstrapped before the operator flag existed: their first organization is the operator's.
UPDATE "organizations" SET "operator" = true
WHERE "id" = (SELECT "id" FROM "organizations" ORDER BY "created_at", "id" LIMIT 1)
  AND NOT EXISTS (SELECT 1 FROM "organizations" WHERE "operator");
