-- Search documents now carry the offer's photo (key and alt text), so that result cards no longer
-- read it from "offers": queue the offers that have one, so that their documents get it.
INSERT INTO "search_outbox" ("entity", "entity_id")
SELECT 'offer', "id" FROM "offers" WHERE "photo_path" IS NOT NULL AND "status" = 'published';
