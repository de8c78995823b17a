-- Ownership and privileges for PgSchemaReaderTest; needs the role botdb_schema_role.
ALTER TABLE chats OWNER TO botdb_schema_role;
ALTER SCHEMA "Bot Data" OWNER TO botdb_schema_role;
ALTER FUNCTION next_ref() OWNER TO botdb_schema_role;
ALTER TYPE chat_kind OWNER TO botdb_schema_role;
ALTER SEQUENCE "Bot Data"."Ticket Numbers" OWNER TO botdb_schema_role;
GRANT SELECT, INSERT ON users TO botdb_schema_role;
GRANT UPDATE (title) ON chats TO PUBLIC;
GRANT SELECT ("displayName", settings) ON users TO botdb_schema_role WITH GRANT OPTION;
GRANT USAGE ON SCHEMA analytics TO botdb_schema_role WITH GRANT OPTION;
GRANT USAGE, SELECT ON SEQUENCE analytics.report_seq TO botdb_schema_role;
REVOKE EXECUTE ON FUNCTION normalize_text(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION normalize_text(text) TO botdb_schema_role;
REVOKE USAGE ON TYPE geo_point FROM PUBLIC;
GRANT SELECT ON analytics.chat_stats TO botdb_schema_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO botdb_schema_role;
ALTER DEFAULT PRIVILEGES FOR ROLE botdb_schema_role REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
