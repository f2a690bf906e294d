-- Reading a convention no longer creates its row (ensureConvention runs when a partnership is
-- created): give one to any partnership an earlier version left without, so its pages open.
INSERT INTO "partnership_conventions" ("partnership_id")
SELECT "p"."id" FROM "partnerships" "p"
WHERE NOT EXISTS (SELECT 1 FROM "partnership_conventions" "c" WHERE "c"."partnership_id" = "p"."id");
