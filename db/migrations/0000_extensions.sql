CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS cube;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS earthdistance;
--> statement-breakpoint
-- unaccent() is only STABLE; this IMMUTABLE wrapper can be used in indexes and generated columns.
CREATE OR REPLACE FUNCTION immutable_unaccent(txt text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, txt) $$;
--> statement-breakpoint
-- Normalised text for matching: lower case, no accents, punctuation as spaces.
CREATE OR REPLACE FUNCTION search_norm(txt text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT btrim(regexp_replace(lower(public.immutable_unaccent(txt)), '[^a-z0-9]+', ' ', 'g')) $$;
