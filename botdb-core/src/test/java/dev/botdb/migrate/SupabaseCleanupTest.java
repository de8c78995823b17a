package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.config.MigrationSettings.SupabaseCleanupMode;
import dev.botdb.config.Setting;
import dev.botdb.migrate.SupabaseCleanup.Result;
import dev.botdb.migrate.SupabaseCleanup.ServerFacts;
import dev.botdb.pool.Pools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Supabase clean-up: its rules on given server facts, SUPABASE_CLEANUP, and Migrator on a real PostgreSQL. */
class SupabaseCleanupTest {
    private static final String FILE = "001_x.sql";

    /** Migrations run as the superuser postgres: it may act as any role and install any extension. */
    private static final SupabaseCleanup.Migrating SUPERUSER = new SupabaseCleanup.Migrating("postgres", true, Set.of(),
            Set.of());

    /** A plain server: no Supabase roles, no extensions schema, the contrib extensions. */
    private static final ServerFacts PLAIN = facts(Set.of("plpgsql", "uuid-ossp", "pgcrypto"),
            Set.of("plpgsql"), Set.of("postgres", "bot"), Set.of("public", "pg_catalog", "information_schema"));

    /** Facts of a server without publications or policies, whose migration connection's current schema is public. */
    private static ServerFacts facts(Set<String> available, Set<String> installed, Set<String> roles, Set<String> schemas) {
        return new ServerFacts(available, installed, roles, schemas, Set.of(), Set.of(), "public",
                SUPERUSER);
    }

    private static ServerFacts withRoles(String... more) {
        Set<String> roles = new java.util.HashSet<>(PLAIN.roles());
        roles.addAll(List.of(more));
        return facts(PLAIN.availableExtensions(), PLAIN.installedExtensions(), roles, PLAIN.schemas());
    }

    private static List<SqlScript.Statement> statements(String sql) {
        return SqlScript.parse(sql, FILE).statements();
    }

    private static Result clean(ServerFacts facts, String sql) {
        return new SupabaseCleanup(facts).clean(FILE, statements(sql));
    }

    private static List<String> sql(Result r) {
        return r.statements().stream().map(SqlScript.Statement::sql).toList();
    }

    @Nested
    class Grants {
        @Test
        void removesOnlyTheGranteesThatAreNotRolesOfTheServer() {
            Result r = clean(withRoles("authenticated"),
                    "GRANT ALL ON TABLE \"public\".\"todos\" TO anon, authenticated, service_role;");

            assertThat(sql(r)).containsExactly("GRANT ALL ON TABLE \"public\".\"todos\" TO authenticated");
            assertThat(r.changes()).containsExactly("Supabase clean-up: 001_x.sql line 1: removed anon, service_role"
                    + " from GRANT ALL ON TABLE \"public\".\"todos\" TO anon, authenticated, service_role"
                    + " (roles anon, service_role do not exist)");
        }

        @Test
        void dropsAGrantWhoseGranteesAllAreMissingAndNamesFileAndLine() {
            Result r = clean(PLAIN, "CREATE TABLE todos (id int);\n\n-- Supabase\nGRANT ALL ON TABLE todos TO anon;\n");

            assertThat(sql(r)).containsExactly("CREATE TABLE todos (id int)");
            assertThat(r.changes()).containsExactly(
                    "Supabase clean-up: 001_x.sql line 4: removed GRANT ALL ON TABLE todos TO anon (role anon does not exist)");
        }

        @Test
        void keepsStatementNumbersAndLinesSoAFailureStillPointsIntoTheFile() {
            Result r = clean(PLAIN, "GRANT SELECT ON a TO anon;\nCREATE TABLE b (id int);\nSELECT 1;\n");

            assertThat(r.statements()).extracting(SqlScript.Statement::number).containsExactly(2, 3);
            assertThat(r.statements()).extracting(SqlScript.Statement::line).containsExactly(2, 3);
        }

        @Test
        void quotedNamesAreMatchedExactlyAndPlainNamesFoldToLowerCase() {
            ServerFacts facts = withRoles("authenticated", "Bot Admin", "we\"ird");

            assertThat(sql(clean(facts, "GRANT SELECT ON t TO \"anon\", \"Bot Admin\", \"we\"\"ird\";")))
                    .containsExactly("GRANT SELECT ON t TO \"Bot Admin\", \"we\"\"ird\"");
            assertThat(sql(clean(facts, "GRANT SELECT ON t TO AUTHENTICATED, \"Authenticated\";")))
                    .containsExactly("GRANT SELECT ON t TO AUTHENTICATED");
            assertThat(clean(facts, "GRANT SELECT ON t TO \"Authenticated\";").changes())
                    .containsExactly("Supabase clean-up: 001_x.sql line 1: removed GRANT SELECT ON t TO \"Authenticated\""
                            + " (role Authenticated does not exist)");
        }

        @Test
        void publicAndTheCurrentUserKeywordsAreAlwaysKept() {
            assertThat(sql(clean(PLAIN, "GRANT SELECT ON t TO PUBLIC, anon, CURRENT_USER, session_user, current_role;")))
                    .containsExactly("GRANT SELECT ON t TO PUBLIC, CURRENT_USER, session_user, current_role");
            assertThat(sql(clean(PLAIN, "GRANT SELECT ON t TO \"public\", anon;")))
                    .containsExactly("GRANT SELECT ON t TO \"public\"");
        }

        @Test
        void touchesOnlyTheGranteeListNotWhatComesBeforeOrAfterIt() {
            String sql = "GRANT /* to anon */ SELECT (id, \"to\"), UPDATE (title)\n"
                    + "    ON TABLE public.todos -- to anon\n"
                    + "    TO GROUP anon, bot,\n"
                    + "       service_role WITH GRANT OPTION GRANTED BY postgres;";
            Result r = clean(PLAIN, sql);

            assertThat(sql(r)).containsExactly("GRANT /* to anon */ SELECT (id, \"to\"), UPDATE (title)\n"
                    + "    ON TABLE public.todos -- to anon\n"
                    + "    TO bot WITH GRANT OPTION GRANTED BY postgres");
            assertThat(r.changes()).singleElement().asString()
                    .startsWith("Supabase clean-up: 001_x.sql line 3: removed GROUP anon, service_role from GRANT");
        }

        @Test
        void revokeFromMissingRolesLikewise() {
            assertThat(sql(clean(PLAIN, "REVOKE ALL ON TABLE t FROM anon, bot CASCADE;")))
                    .containsExactly("REVOKE ALL ON TABLE t FROM bot CASCADE");
            assertThat(sql(clean(PLAIN, "REVOKE GRANT OPTION FOR SELECT ON t FROM \"service_role\";"))).isEmpty();
            assertThat(sql(clean(PLAIN, "REVOKE ALL ON SCHEMA public FROM PUBLIC;")))
                    .containsExactly("REVOKE ALL ON SCHEMA public FROM PUBLIC");
        }

        @Test
        void membershipGrantsCheckTheGrantedRolesToo() {
            assertThat(sql(clean(PLAIN, "GRANT anon TO authenticator;"))).isEmpty();
            assertThat(sql(clean(PLAIN, "GRANT anon, bot TO postgres, authenticator WITH ADMIN OPTION;")))
                    .containsExactly("GRANT bot TO postgres WITH ADMIN OPTION");
            assertThat(sql(clean(PLAIN, "REVOKE ADMIN OPTION FOR bot FROM postgres, anon;")))
                    .containsExactly("REVOKE ADMIN OPTION FOR bot FROM postgres");
        }

        @Test
        void defaultPrivilegesForMissingRolesAndToMissingRoles() {
            Result r = clean(PLAIN, """
                    ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON TABLES  TO "postgres", "anon";
                    ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON SEQUENCES  TO "anon";
                    ALTER DEFAULT PRIVILEGES FOR ROLE "supabase_admin" IN SCHEMA "public" GRANT ALL ON TABLES  TO "postgres";
                    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC, anon;
                    """);

            assertThat(sql(r)).containsExactly(
                    "ALTER DEFAULT PRIVILEGES FOR ROLE \"postgres\" IN SCHEMA \"public\" GRANT ALL ON TABLES  TO \"postgres\"",
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
            assertThat(r.changes()).hasSize(4).anyMatch(c -> c.startsWith("Supabase clean-up: 001_x.sql line 3: removed"
                    + " ALTER DEFAULT PRIVILEGES FOR ROLE \"supabase_admin\"") && c.endsWith("(role supabase_admin does not exist)"));
        }

        @Test
        void aGranteeThatIsNotAPlainOrQuotedNameLeavesTheStatementAlone() {
            String sql = "GRANT SELECT ON t TO U&\"\\0061non\", anon";
            Result r = clean(PLAIN, sql + ";");

            assertThat(sql(r)).containsExactly(sql);
            assertThat(r.changes()).isEmpty();
        }
    }

    @Nested
    class Policies {
        @Test
        void aPolicyForMissingRolesOnlyIsDroppedAndOneForExistingRolesIsKept() {
            String sql = "CREATE POLICY \"Members read\" ON \"public\".\"notes\" FOR SELECT TO \"authenticated\""
                    + " USING ((\"owner\" = current_setting('app.user_id', true)::uuid));";

            Result plain = clean(PLAIN, sql);
            assertThat(sql(plain)).isEmpty();
            assertThat(plain.changes()).containsExactly("Supabase clean-up: 001_x.sql line 1: removed CREATE POLICY"
                    + " \"Members read\" ON \"public\".\"notes\" FOR SELECT TO \"authenticated\" USING ((\"owner\" ="
                    + " current_setting('app.user_id', true)::uuid)) (role authenticated does not exist)");

            Result supabase = clean(withRoles("authenticated"), sql);
            assertThat(sql(supabase)).containsExactly(sql.substring(0, sql.length() - 1));
            assertThat(supabase.changes()).isEmpty();
        }

        @Test
        void theRoleListOfAPolicyEndsAtUsing() {
            Result r = clean(PLAIN, "CREATE POLICY p ON notes AS RESTRICTIVE\n  TO authenticated, bot\n"
                    + "  USING (title <> 'to anon') WITH CHECK (true);");

            assertThat(sql(r)).containsExactly("CREATE POLICY p ON notes AS RESTRICTIVE\n  TO bot\n"
                    + "  USING (title <> 'to anon') WITH CHECK (true)");
            assertThat(r.changes()).singleElement().asString()
                    .startsWith("Supabase clean-up: 001_x.sql line 2: removed authenticated from CREATE POLICY p");
        }

        @Test
        void alterPolicyToMissingRolesIsDroppedButRenameToIsNotARoleList() {
            assertThat(sql(clean(PLAIN, "ALTER POLICY p ON notes TO anon USING (true);"))).isEmpty();
            assertThat(sql(clean(PLAIN, "ALTER POLICY p ON notes TO anon, bot;"))).containsExactly("ALTER POLICY p ON notes TO bot");
            assertThat(sql(clean(PLAIN, "ALTER POLICY p ON notes RENAME TO anon;")))
                    .containsExactly("ALTER POLICY p ON notes RENAME TO anon");
        }

        @Test
        void aPolicyWithoutToAppliesToPublicAndStays() {
            assertThat(sql(clean(PLAIN, "CREATE POLICY p ON notes USING (true);")))
                    .containsExactly("CREATE POLICY p ON notes USING (true)");
        }
    }

    @Nested
    class RowLevelSecurity {
        @Test
        void aTableWhosePoliciesWereAllRemovedLosesRowLevelSecurityAndTheLineSaysHowToKeepIt() {
            Result r = clean(PLAIN, """
                    CREATE TABLE "public"."notes" (id int);
                    CREATE POLICY "Members read" ON "public"."notes" FOR SELECT TO "authenticated" USING (true);
                    CREATE POLICY admins ON notes TO service_role USING (true);
                    ALTER TABLE "public"."notes" ENABLE ROW LEVEL SECURITY;
                    """);

            assertThat(sql(r)).containsExactly("CREATE TABLE \"public\".\"notes\" (id int)");
            assertThat(r.changes()).hasSize(3).last().isEqualTo("Supabase clean-up: 001_x.sql line 4: removed ALTER TABLE"
                    + " \"public\".\"notes\" ENABLE ROW LEVEL SECURITY: no policy on public.notes applies to a role of"
                    + " this server (the clean-up removed \"Members read\" (line 2), admins (line 3)), so with row-level"
                    + " security on, every role but the table's owner (the bot's own role too) would read no rows from"
                    + " it. To keep row-level security instead, add a migration with: ALTER TABLE \"public\".\"notes\""
                    + " ENABLE ROW LEVEL SECURITY; CREATE POLICY \"botdb_all_rows\" ON public.notes USING (true) WITH"
                    + " CHECK (true); and narrow that policy to your bot's role with TO.");
        }

        @Test
        void aTableWithoutAnyPolicyLosesItToo() {
            Result r = clean(PLAIN, "CREATE TABLE warns (id int);\nALTER TABLE ONLY warns FORCE ROW LEVEL SECURITY;");

            assertThat(sql(r)).containsExactly("CREATE TABLE warns (id int)");
            assertThat(r.changes()).singleElement().asString().startsWith("Supabase clean-up: 001_x.sql line 2: removed"
                    + " ALTER TABLE ONLY warns FORCE ROW LEVEL SECURITY: no policy on public.warns applies to a role of"
                    + " this server (the migrations create none for it; on Supabase only service_role and postgres,"
                    + " which bypass row-level security, could read it)");
        }

        @Test
        void aPolicyLeftForAnyRoleKeepsRowLevelSecurity() {
            String kept = "ALTER TABLE notes ENABLE ROW LEVEL SECURITY";
            // a policy without TO applies to every role; one whose list keeps an existing role applies to it
            assertThat(sql(clean(PLAIN, kept + ";\nCREATE POLICY p ON public.notes FOR SELECT USING (true);")))
                    .contains(kept);
            assertThat(sql(clean(PLAIN, kept + ";\nCREATE POLICY p ON notes TO anon, bot USING (true);"))).contains(kept);
            // a policy the server already has on the table
            ServerFacts withPolicy = new ServerFacts(PLAIN.availableExtensions(), PLAIN.installedExtensions(),
                    PLAIN.roles(), PLAIN.schemas(), Set.of(), Set.of("public.notes"), "public", SUPERUSER);
            assertThat(sql(new SupabaseCleanup(withPolicy).clean(FILE, statements(kept + ";")))).containsExactly(kept);
            // another table's policy does not count
            assertThat(sql(clean(PLAIN, kept + ";\nCREATE POLICY p ON other.notes USING (true);"))).doesNotContain(kept);
        }

        @Test
        void aPolicyInALaterFileOfTheRunCounts() {
            List<Result> run = new SupabaseCleanup(PLAIN).run(List.of(
                    new SupabaseCleanup.Input("001_a.sql", statements("ALTER TABLE notes ENABLE ROW LEVEL SECURITY;"), true),
                    new SupabaseCleanup.Input("002_b.sql", statements("CREATE POLICY p ON notes TO bot USING (true);"), false)));

            assertThat(sql(run.get(0))).containsExactly("ALTER TABLE notes ENABLE ROW LEVEL SECURITY");
            assertThat(run.get(1)).isNull();
        }
    }

    @Nested
    class PublicationsAndOwners {
        @Test
        void supabaseRealtimesPublicationAndStatementsOnMissingPublicationsGo() {
            Result r = clean(PLAIN, """
                    CREATE PUBLICATION "supabase_realtime" WITH (publish = 'insert');
                    ALTER PUBLICATION "supabase_realtime" OWNER TO "postgres";
                    ALTER PUBLICATION supabase_realtime ADD TABLE ONLY "public"."notes";
                    COMMENT ON PUBLICATION supabase_realtime IS 'x';
                    CREATE PUBLICATION bot_changes FOR TABLE notes;
                    ALTER PUBLICATION bot_changes ADD TABLE chats;
                    """);

            assertThat(sql(r)).containsExactly("CREATE PUBLICATION bot_changes FOR TABLE notes",
                    "ALTER PUBLICATION bot_changes ADD TABLE chats");
            assertThat(r.changes()).hasSize(4).element(2).isEqualTo("Supabase clean-up: 001_x.sql line 3: removed ALTER"
                    + " PUBLICATION supabase_realtime ADD TABLE ONLY \"public\".\"notes\" (publication supabase_realtime"
                    + " does not exist)");
        }

        @Test
        void aServerThatHasThePublicationKeepsTheStatements() {
            ServerFacts supabase = new ServerFacts(PLAIN.availableExtensions(), PLAIN.installedExtensions(), PLAIN.roles(),
                    PLAIN.schemas(), Set.of("supabase_realtime"), Set.of(), "public", SUPERUSER);
            String sql = "ALTER PUBLICATION \"supabase_realtime\" ADD TABLE ONLY \"public\".\"notes\"";

            assertThat(sql(new SupabaseCleanup(supabase).clean(FILE, statements(sql + ";")))).containsExactly(sql);
        }

        @Test
        void aMigratingRoleThatIsNoSuperuserKeepsOnlyWhatItMayDo() {
            Set<String> available = new java.util.HashSet<>(PLAIN.availableExtensions());
            available.add("pg_stat_statements");
            Set<String> roles = new java.util.HashSet<>(PLAIN.roles());
            roles.addAll(Set.of("bot_owner", "pg_database_owner"));
            ServerFacts owner = new ServerFacts(available, PLAIN.installedExtensions(), roles, PLAIN.schemas(), Set.of(),
                    Set.of(), "public", new SupabaseCleanup.Migrating("bot_owner", false,
                    Set.of("bot_owner", "pg_database_owner"), Set.of("plpgsql", "pgcrypto", "uuid-ossp")));
            Result r = new SupabaseCleanup(owner).clean(FILE, statements("""
                    CREATE EXTENSION IF NOT EXISTS "pg_stat_statements" WITH SCHEMA public;
                    COMMENT ON EXTENSION pg_stat_statements IS 'statistics';
                    CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
                    ALTER TABLE notes OWNER TO "postgres";
                    ALTER TABLE notes OWNER TO bot_owner;
                    ALTER SCHEMA "public" OWNER TO "pg_database_owner";
                    ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON TABLES TO "postgres";
                    ALTER DEFAULT PRIVILEGES FOR ROLE postgres, bot_owner GRANT SELECT ON TABLES TO bot;
                    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO bot;
                    CREATE ROLE helper;
                    ALTER TABLE notes OWNER TO helper;
                    """));

            assertThat(sql(r)).containsExactly("CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public",
                    "ALTER TABLE notes OWNER TO bot_owner", "ALTER SCHEMA \"public\" OWNER TO \"pg_database_owner\"",
                    "ALTER DEFAULT PRIVILEGES FOR ROLE bot_owner GRANT SELECT ON TABLES TO bot",
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO bot",
                    "CREATE ROLE helper", "ALTER TABLE notes OWNER TO helper");
            assertThat(r.changes()).containsExactly(
                    "Supabase clean-up: 001_x.sql line 1: skipped CREATE EXTENSION IF NOT EXISTS \"pg_stat_statements\""
                            + " WITH SCHEMA public (extension pg_stat_statements is not trusted, so only a superuser may"
                            + " install it, and the migrating role bot_owner is not one; if the bot uses it, have a"
                            + " superuser run CREATE EXTENSION IF NOT EXISTS pg_stat_statements in this database, then"
                            + " migrate again)",
                    "Supabase clean-up: 001_x.sql line 2: removed COMMENT ON EXTENSION pg_stat_statements IS"
                            + " 'statistics' (extension pg_stat_statements was not created)",
                    "Supabase clean-up: 001_x.sql line 4: removed ALTER TABLE notes OWNER TO \"postgres\" (the migrating"
                            + " role bot_owner cannot act as postgres, so the object stays owned by bot_owner)",
                    "Supabase clean-up: 001_x.sql line 7: removed ALTER DEFAULT PRIVILEGES FOR ROLE \"postgres\" IN"
                            + " SCHEMA \"public\" GRANT ALL ON TABLES TO \"postgres\" (the migrating role bot_owner"
                            + " cannot act as postgres, so it may not set that role's default privileges)",
                    "Supabase clean-up: 001_x.sql line 8: removed postgres from ALTER DEFAULT PRIVILEGES FOR ROLE"
                            + " postgres, bot_owner GRANT SELECT ON TABLES TO bot (the migrating role bot_owner cannot"
                            + " act as postgres, so it may not set that role's default privileges)");
        }

        @Test
        void ownerToAMissingRoleGoesAndToAnExistingOneStays() {
            Result r = clean(PLAIN, """
                    ALTER TABLE "public"."notes" OWNER TO "supabase_admin";
                    ALTER FUNCTION "public"."f"() OWNER TO "postgres";
                    ALTER SCHEMA "public" OWNER TO CURRENT_USER;
                    """);

            assertThat(sql(r)).containsExactly("ALTER FUNCTION \"public\".\"f\"() OWNER TO \"postgres\"",
                    "ALTER SCHEMA \"public\" OWNER TO CURRENT_USER");
            assertThat(r.changes()).containsExactly("Supabase clean-up: 001_x.sql line 1: removed ALTER TABLE"
                    + " \"public\".\"notes\" OWNER TO \"supabase_admin\" (role supabase_admin does not exist)");
        }
    }

    @Nested
    class Extensions {
        @Test
        void putsTheExtensionIntoTheCurrentSchemaWhenItsSchemaDoesNotExistAndNothingRefersToIt() {
            Result r = clean(PLAIN, "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA \"extensions\";\n"
                    + "CREATE TABLE t (id uuid DEFAULT uuid_generate_v4());");

            assertThat(sql(r)).containsExactly("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public",
                    "CREATE TABLE t (id uuid DEFAULT uuid_generate_v4())");
            assertThat(r.changes()).containsExactly("Supabase clean-up: 001_x.sql line 1: replaced WITH SCHEMA"
                    + " \"extensions\" by WITH SCHEMA public in CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA"
                    + " \"extensions\" (schema extensions does not exist and the migrations refer to nothing in it;"
                    + " public is the migration connection's current schema)");
        }

        @Test
        void createsTheSchemaWhenTheMigrationsReferToObjectsInIt() {
            for (String use : List.of("DEFAULT \"extensions\".\"uuid_generate_v4\"()", "DEFAULT extensions . uuid_generate_v4()",
                    "DEFAULT f()); CREATE FUNCTION f() RETURNS uuid LANGUAGE sql AS $$ SELECT Extensions.uuid_generate_v4() $$")) {
                Result r = clean(PLAIN, "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA \"extensions\";\n"
                        + "CREATE TABLE t (id uuid " + use + ");");

                assertThat(sql(r)).as(use).startsWith("CREATE SCHEMA IF NOT EXISTS extensions",
                        "GRANT USAGE ON SCHEMA extensions TO PUBLIC", "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA \"extensions\"");
                assertThat(r.changes()).as(use).containsExactly("Supabase clean-up: 001_x.sql line 1: created schema"
                        + " extensions before CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA \"extensions\""
                        + " (CREATE SCHEMA IF NOT EXISTS extensions; GRANT USAGE ON SCHEMA extensions TO PUBLIC: schema"
                        + " extensions does not exist and the migrations refer to objects in it; the extension goes"
                        + " there and every role may use it, as on Supabase)");
            }
            // a column or table called extensions is no reference to the schema
            assertThat(sql(clean(PLAIN, "CREATE EXTENSION pgcrypto SCHEMA extensions;\nSELECT t.extensions FROM t;")))
                    .containsExactly("CREATE EXTENSION pgcrypto SCHEMA public", "SELECT t.extensions FROM t");
        }

        @Test
        void createsTheSchemaWhenTheConnectionHasNoCurrentSchema() {
            ServerFacts noSearchPath = new ServerFacts(PLAIN.availableExtensions(), PLAIN.installedExtensions(),
                    PLAIN.roles(), PLAIN.schemas(), Set.of(), Set.of(), null, SUPERUSER);

            assertThat(sql(new SupabaseCleanup(noSearchPath).clean(FILE, statements("CREATE EXTENSION pgcrypto WITH SCHEMA extensions;"))))
                    .containsExactly("CREATE SCHEMA IF NOT EXISTS extensions", "GRANT USAGE ON SCHEMA extensions TO PUBLIC",
                            "CREATE EXTENSION pgcrypto WITH SCHEMA extensions");
        }

        @Test
        void keepsTheOtherOptionsAroundTheSchemaClause() {
            assertThat(sql(clean(PLAIN, "create extension pgcrypto schema Extensions version '1.3' cascade;")))
                    .containsExactly("create extension pgcrypto SCHEMA public version '1.3' cascade");
            assertThat(sql(clean(PLAIN, "CREATE EXTENSION pgcrypto WITH VERSION '1.3' SCHEMA extensions;")))
                    .containsExactly("CREATE EXTENSION pgcrypto WITH VERSION '1.3' SCHEMA public");
        }

        @Test
        void keepsTheSchemaClauseWhenTheSchemaExists() {
            ServerFacts facts = facts(PLAIN.availableExtensions(), PLAIN.installedExtensions(), PLAIN.roles(),
                    Set.of("public", "extensions"));
            Result r = clean(facts, "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA \"extensions\";");

            assertThat(sql(r)).containsExactly("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA \"extensions\"");
            assertThat(r.changes()).isEmpty();
        }

        @Test
        void skipsAnExtensionTheServerDoesNotOfferAndItsComment() {
            Result r = clean(PLAIN, """
                    CREATE EXTENSION IF NOT EXISTS "pg_graphql" WITH SCHEMA "graphql";
                    COMMENT ON EXTENSION "pg_graphql" IS 'pg_graphql: GraphQL support';
                    CREATE EXTENSION supabase_vault;
                    COMMENT ON EXTENSION "uuid-ossp" IS 'kept';
                    """);

            assertThat(sql(r)).containsExactly("COMMENT ON EXTENSION \"uuid-ossp\" IS 'kept'");
            assertThat(r.changes()).containsExactly(
                    "Supabase clean-up: 001_x.sql line 1: skipped CREATE EXTENSION IF NOT EXISTS \"pg_graphql\" WITH SCHEMA"
                            + " \"graphql\" (extension pg_graphql is not available on this server:"
                            + " pg_available_extensions does not list it)",
                    "Supabase clean-up: 001_x.sql line 2: removed COMMENT ON EXTENSION \"pg_graphql\" IS 'pg_graphql:"
                            + " GraphQL support' (extension pg_graphql is not available on this server, so it was not created)",
                    "Supabase clean-up: 001_x.sql line 3: skipped CREATE EXTENSION supabase_vault (extension supabase_vault"
                            + " is not available on this server: pg_available_extensions does not list it)");
        }

        @Test
        void anInstalledExtensionIsLeftAsWritten() {
            ServerFacts facts = facts(Set.of(), Set.of("pg_graphql"), PLAIN.roles(), PLAIN.schemas());
            Result r = clean(facts, "CREATE EXTENSION IF NOT EXISTS pg_graphql WITH SCHEMA graphql;");

            assertThat(sql(r)).containsExactly("CREATE EXTENSION IF NOT EXISTS pg_graphql WITH SCHEMA graphql");
        }
    }

    @Nested
    class WhatTheRunCreates {
        @Test
        void rolesAndSchemasCreatedEarlierInTheRunCount() {
            Result r = clean(PLAIN, """
                    CREATE ROLE anon NOLOGIN;
                    DO $$ BEGIN
                        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN
                            CREATE ROLE "authenticated" NOLOGIN;
                        END IF;
                    END $$;
                    CREATE SCHEMA IF NOT EXISTS extensions;
                    CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
                    GRANT SELECT ON t TO anon, authenticated, service_role;
                    """);

            assertThat(sql(r)).contains("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA extensions",
                    "GRANT SELECT ON t TO anon, authenticated");
            assertThat(r.changes()).singleElement().asString().contains("(role service_role does not exist)");
        }

        @Test
        void aRoleCreatedInAnEarlierFileOfTheRunCounts() {
            SupabaseCleanup cleanup = new SupabaseCleanup(PLAIN);
            cleanup.track(statements("CREATE USER bot_reader PASSWORD 'x';"));

            Result r = cleanup.clean("002_y.sql", statements("GRANT SELECT ON t TO bot_reader, anon;"));

            assertThat(sql(r)).containsExactly("GRANT SELECT ON t TO bot_reader");
            assertThat(r.changes()).singleElement().asString().startsWith("Supabase clean-up: 002_y.sql line 1:");
        }
    }

    @Nested
    class Unchanged {
        @Test
        void everythingElseStaysByteForByte() {
            String text = """
                    CREATE TABLE "anon" ("authenticated" boolean,  extensions   text);
                    INSERT INTO "anon" VALUES (true, 'GRANT ALL ON t TO anon; CREATE EXTENSION pg_graphql');
                    CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$
                    BEGIN
                        EXECUTE 'GRANT SELECT ON t TO anon';
                    END $body$;
                    ALTER TABLE t OWNER TO "postgres";
                    SELECT E'to anon\\'s', $$x$$ /* GRANT x TO anon */;
                    """;
            List<SqlScript.Statement> in = statements(text);
            Result r = new SupabaseCleanup(PLAIN).clean(FILE, in);

            assertThat(r.statements()).isEqualTo(in);
            assertThat(r.changes()).isEmpty();
        }

        @Test
        void autoCleansOnlyFilesThatNameASupabaseRoleOrTheExtensionsSchema() {
            assertThat(SupabaseCleanup.looksLikeSupabase(statements("GRANT SELECT ON t TO \"anon\";"))).isTrue();
            assertThat(SupabaseCleanup.looksLikeSupabase(statements("CREATE POLICY p ON t TO authenticated;"))).isTrue();
            assertThat(SupabaseCleanup.looksLikeSupabase(
                    statements("CREATE TABLE t (id uuid DEFAULT \"extensions\".\"uuid_generate_v4\"());"))).isTrue();
            assertThat(SupabaseCleanup.looksLikeSupabase(statements("CREATE EXTENSION x WITH SCHEMA extensions;"))).isTrue();

            assertThat(SupabaseCleanup.looksLikeSupabase(statements("INSERT INTO notes VALUES ('anon', 'service_role');")))
                    .isFalse();
            assertThat(SupabaseCleanup.looksLikeSupabase(statements("CREATE TABLE extensions (is_anon boolean /* anon */);")))
                    .isFalse();
            assertThat(SupabaseCleanup.looksLikeSupabase(statements("GRANT SELECT ON t TO bot_reader;"))).isFalse();
        }

        @Test
        void modesDecideWhichFilesAreCleaned() {
            List<SqlScript.Statement> handWritten = statements("GRANT SELECT ON t TO bot_reader;");
            List<SqlScript.Statement> supabase = statements("GRANT SELECT ON t TO anon;");
            List<SqlScript.Statement> noGrants = statements("CREATE TABLE t (id int);");

            assertThat(SupabaseCleanup.applies(SupabaseCleanupMode.AUTO, handWritten)).isFalse();
            assertThat(SupabaseCleanup.applies(SupabaseCleanupMode.AUTO, supabase)).isTrue();
            assertThat(SupabaseCleanup.applies(SupabaseCleanupMode.ON, handWritten)).isTrue();
            assertThat(SupabaseCleanup.applies(SupabaseCleanupMode.ON, noGrants)).isFalse();
            assertThat(SupabaseCleanup.applies(SupabaseCleanupMode.OFF, supabase)).isFalse();
        }

        @Test
        void neverAsksTheServerOnSqliteWithOffOrWhenNoFileNeedsIt() {
            MigrationFile file = MigrationFiles.parse(FILE, "GRANT SELECT ON t TO anon;".getBytes(StandardCharsets.UTF_8));
            MigrationFile plain = MigrationFiles.parse("002_y.sql", "CREATE TABLE t (id int);".getBytes(StandardCharsets.UTF_8));
            Map<MigrationFile, SqlScript> supabase = Map.of(file, SqlScript.parse(file.sql(), FILE));
            Map<MigrationFile, SqlScript> handWritten = Map.of(plain, SqlScript.parse(plain.sql(), plain.fileName()));

            // a null DataSource: any attempt to read the server facts would throw
            assertThat(SupabaseCleanup.applyTo(supabase, SupabaseCleanupMode.ON, Engine.SQLITE, null)).isSameAs(supabase);
            assertThat(SupabaseCleanup.applyTo(supabase, SupabaseCleanupMode.OFF, Engine.POSTGRESQL, null)).isSameAs(supabase);
            assertThat(SupabaseCleanup.applyTo(handWritten, SupabaseCleanupMode.AUTO, Engine.POSTGRESQL, null))
                    .isSameAs(handWritten);
        }
    }

    @Nested
    class Variable {
        private BotDbConfig config(String... vars) {
            return BotDbConfig.fromEnv(TestPostgres.env("postgres://bot@db.example:5432/bot?sslmode=disable", vars));
        }

        private Setting shown(BotDbConfig c) {
            return c.describe().stream().filter(s -> s.name().equals("migrations.supabaseCleanup")).findFirst().orElseThrow();
        }

        @Test
        void defaultsToAuto() {
            BotDbConfig c = config();

            assertThat(c.migrations().supabaseCleanup()).isEqualTo(SupabaseCleanupMode.AUTO);
            assertThat(shown(c)).isEqualTo(new Setting("migrations.supabaseCleanup", "auto", "default"));
        }

        @Test
        void readsOnAndOffInAnyCase() {
            assertThat(config("SUPABASE_CLEANUP", " OFF ").migrations().supabaseCleanup()).isEqualTo(SupabaseCleanupMode.OFF);
            BotDbConfig on = config("SUPABASE_CLEANUP", "on");
            assertThat(on.migrations().supabaseCleanup()).isEqualTo(SupabaseCleanupMode.ON);
            assertThat(shown(on)).isEqualTo(new Setting("migrations.supabaseCleanup", "on", "SUPABASE_CLEANUP"));
        }

        @Test
        void rejectsAnythingElseNamingTheVariableAndTheThreeValues() {
            assertThatThrownBy(() -> config("SUPABASE_CLEANUP", "yes"))
                    .isInstanceOf(BotDbException.class)
                    .hasMessageStartingWith("SUPABASE_CLEANUP must be auto, on or off, but it is 'yes'.")
                    .hasMessageContaining("Example: SUPABASE_CLEANUP=auto")
                    .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        }
    }

    /** Migrator with the clean-up against the test PostgreSQL: one fresh database per test. */
    @Nested
    class OnPostgres {
        private static final AtomicInteger DATABASES = new AtomicInteger();
        private static final String EXPORT = "20240101000000_remote_schema.sql";

        @TempDir
        Path dir;

        private String database;
        private HikariDataSource ds;
        private final List<String> log = new CopyOnWriteArrayList<>();
        private String export;

        @BeforeEach
        void freshDatabase() throws IOException {
            database = "supabase_" + DATABASES.incrementAndGet();
            TestPostgres.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
            BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(url()));
            ds = Pools.open(c.target(), c.pool());
            try (InputStream in = SupabaseCleanupTest.class.getResourceAsStream("/supabase/" + EXPORT)) {
                export = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Files.writeString(dir.resolve(EXPORT), export);
        }

        @AfterEach
        void closePool() {
            ds.close();
        }

        private String url() {
            return "postgres://postgres@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable";
        }

        private Migrator migrator() {
            return Migrator.of(ds, Engine.POSTGRESQL, dir, log::add);
        }

        private String one(String sql) throws SQLException {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            }
        }

        /** The 1-based line of the export on which {@code text} starts. */
        private int line(String text) {
            int at = export.indexOf(text);
            assertThat(at).as(text).isNotNegative();
            return (int) export.substring(0, at).chars().filter(ch -> ch == '\n').count() + 1;
        }

        private String logged(String text, String change) {
            return "[Migrations] Supabase clean-up: " + EXPORT + " line " + line(text) + ": " + change;
        }

        @Test
        void aSupabaseExportAppliesOnAPlainServerAndEachChangeIsLoggedWithFileAndLine() throws Exception {
            MigrationResult r = migrator().migrate();

            assertThat(r.applied()).containsExactly(EXPORT);
            assertThat(one("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('chats', 'notes')"))
                    .isEqualTo("2");
            // its two policies are for missing roles: row-level security goes too (see the test below)
            assertThat(one("SELECT relrowsecurity FROM pg_class WHERE oid = 'public.notes'::regclass")).isEqualTo("f");
            assertThat(one("SELECT count(*) FROM pg_policies WHERE tablename = 'notes'")).isEqualTo("0");
            assertThat(one("SELECT string_agg(extname || '@' || extnamespace::regnamespace, ',' ORDER BY extname)"
                    + " FROM pg_extension WHERE extname <> 'plpgsql'")).isEqualTo("pgcrypto@public,uuid-ossp@public");
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO chats (id) VALUES (1)");
                st.execute("INSERT INTO notes (chat_id, name) VALUES (1, 'rules')");
            }
            assertThat(one("SELECT length(id::text) FROM notes")).isEqualTo("36");

            assertThat(log).contains(
                    logged("CREATE EXTENSION IF NOT EXISTS \"pg_graphql\"", "skipped CREATE EXTENSION IF NOT EXISTS"
                            + " \"pg_graphql\" WITH SCHEMA \"graphql\" (extension pg_graphql is not available on this"
                            + " server: pg_available_extensions does not list it)"),
                    logged("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"", "replaced WITH SCHEMA \"extensions\" by"
                            + " WITH SCHEMA public in CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA \"extensions\""
                            + " (schema extensions does not exist and the migrations refer to nothing in it; public is"
                            + " the migration connection's current schema)"),
                    logged("GRANT USAGE ON SCHEMA \"public\" TO \"anon\"",
                            "removed GRANT USAGE ON SCHEMA \"public\" TO \"anon\" (role anon does not exist)"),
                    logged("GRANT ALL ON TABLE \"public\".\"notes\"", "removed GRANT ALL ON TABLE \"public\".\"notes\" TO"
                            + " anon, authenticated, service_role (roles anon, authenticated, service_role do not exist)"),
                    logged("CREATE POLICY \"Members read notes\"", "removed CREATE POLICY \"Members read notes\" ON"
                            + " \"public\".\"notes\" FOR SELECT TO \"authenticated\" USING ((\"owner\" IS NOT NULL))"
                            + " (role authenticated does not exist)"),
                    logged("ALTER DEFAULT PRIVILEGES FOR ROLE \"postgres\" IN SCHEMA \"public\" GRANT ALL ON TABLES",
                            "removed \"authenticated\" from ALTER DEFAULT PRIVILEGES FOR ROLE \"postgres\" IN SCHEMA"
                                    + " \"public\" GRANT ALL ON TABLES TO \"postgres\", \"authenticated\""
                                    + " (role authenticated does not exist)"));
            // the policy spanning 3 lines is logged at its first line
            assertThat(log).anyMatch(l -> l.startsWith(logged("CREATE POLICY \"Service role manages notes\"", "removed")));
            assertThat(log.stream().filter(l -> l.startsWith("[Migrations] Supabase clean-up: "))).hasSize(17);
            assertThat(log.indexOf("[Migrations] Applying " + EXPORT + "...")).isLessThan(
                    log.indexOf(logged("GRANT USAGE ON SCHEMA \"public\" TO \"anon\"",
                            "removed GRANT USAGE ON SCHEMA \"public\" TO \"anon\" (role anon does not exist)")));
        }

        @Test
        void aRoleWithTheProvisionedGrantsReadsATableWhosePoliciesWereAllRemoved() throws Exception {
            migrator().migrate();
            String app = "supabase_cleanup_app";
            TestPostgres.exec("DROP ROLE IF EXISTS " + app, "CREATE ROLE " + app);
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO chats (id) VALUES (1)");
                st.execute("INSERT INTO notes (chat_id, name) VALUES (1, 'rules')");
                st.execute("GRANT USAGE ON SCHEMA public TO " + app);
                st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + app);
                st.execute("SET ROLE " + app);
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM notes")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("rows the app role reads from notes").isEqualTo(1);
                }
            } finally {
                try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement()) {
                    st.execute("DROP OWNED BY " + app);
                }
                TestPostgres.exec("DROP ROLE IF EXISTS " + app);
            }
            assertThat(log).anyMatch(l -> l.startsWith(logged("ALTER TABLE \"public\".\"notes\" ENABLE ROW LEVEL SECURITY",
                    "removed ALTER TABLE \"public\".\"notes\" ENABLE ROW LEVEL SECURITY")));
        }

        @Test
        void aGrantAndAPolicyForARoleThatExistsAreKept() throws Exception {
            TestPostgres.exec("CREATE ROLE authenticated NOLOGIN");
            try {
                migrator().migrate();

                assertThat(one("SELECT string_agg(policyname || ':' || array_to_string(roles, ','), ';')"
                        + " FROM pg_policies WHERE tablename = 'notes'")).isEqualTo("Members read notes:authenticated");
                assertThat(one("SELECT has_table_privilege('authenticated', 'public.notes', 'SELECT')"
                        + " AND has_table_privilege('authenticated', 'public.chats', 'INSERT')"
                        + " AND has_schema_privilege('authenticated', 'public', 'USAGE')")).isEqualTo("t");
                assertThat(one("SELECT count(*) FROM pg_default_acl WHERE defaclacl::text LIKE '%authenticated=%'"))
                        .isEqualTo("1");
                assertThat(log).contains(logged("GRANT ALL ON TABLE \"public\".\"notes\"", "removed anon, service_role"
                        + " from GRANT ALL ON TABLE \"public\".\"notes\" TO anon, authenticated, service_role"
                        + " (roles anon, service_role do not exist)"));
                assertThat(log).noneMatch(l -> l.contains("(role authenticated does not exist)"));
            } finally {
                try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement()) {
                    st.execute("DROP OWNED BY authenticated");
                }
                TestPostgres.exec("DROP ROLE authenticated");
            }
        }

        @Test
        void withTheCleanUpOffTheSameFileFailsAndNothingIsApplied() throws Exception {
            assertThatThrownBy(() -> migrator().supabaseCleanup(SupabaseCleanupMode.OFF).migrate())
                    .isInstanceOf(BotDbException.class)
                    .hasMessageContaining(EXPORT + " line " + line("CREATE EXTENSION IF NOT EXISTS \"pg_graphql\""))
                    // PostgreSQL 15+: extension "pg_graphql" is not available; 14: could not open ... pg_graphql.control
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("extension \"pg_graphql\" is not available",
                            "pg_graphql.control"))
                    .hasMessageContaining("Nothing of " + EXPORT + " was applied")
                    .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
            assertThat(one("SELECT to_regclass('public.notes')")).isNull();
            assertThat(log).noneMatch(l -> l.contains("Supabase clean-up"));
        }

        @Test
        void dryRunShowsTheSqlAfterTheCleanUpAndChangesNothing() throws Exception {
            List<Migrator.Planned> plan = migrator().plan();

            assertThat(plan).singleElement().satisfies(p -> {
                assertThat(p.statements()).contains("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public",
                        "GRANT USAGE ON SCHEMA \"public\" TO \"postgres\"");
                assertThat(p.statements()).noneMatch(s -> s.contains("anon") || s.contains("pg_graphql")
                        || s.contains("authenticated") || s.contains("\"extensions\""));
                assertThat(p.notes()).hasSize(17).allMatch(n -> n.startsWith("Supabase clean-up: " + EXPORT + " line "));
            });
            assertThat(one("SELECT to_regclass('public.notes')")).isNull();
            assertThat(one("SELECT count(*) FROM pg_extension WHERE extname = 'uuid-ossp'")).isEqualTo("0");
        }

        @Test
        void autoLeavesAHandWrittenFileAloneAndOnCleansIt() throws Exception {
            Files.delete(dir.resolve(EXPORT));
            Files.writeString(dir.resolve("001_reader.sql"), "CREATE TABLE scores (id int);\n"
                    + "GRANT SELECT ON scores TO bot_reader;\n");

            assertThatThrownBy(() -> migrator().migrate())
                    .hasMessageContaining("001_reader.sql line 2, statement 2")
                    .hasMessageContaining("role \"bot_reader\" does not exist");

            migrator().supabaseCleanup(SupabaseCleanupMode.ON).migrate();
            assertThat(one("SELECT to_regclass('scores')")).isEqualTo("scores");
            assertThat(log).contains("[Migrations] Supabase clean-up: 001_reader.sql line 2: removed GRANT SELECT ON"
                    + " scores TO bot_reader (role bot_reader does not exist)");
        }

        @Test
        void botDbPassesSupabaseCleanupToItsMigrator() throws Exception {
            for (String mode : List.of("auto", "off")) {
                BotDbConfig config = BotDbConfig.fromEnv(TestPostgres.env(url(), "MIGRATIONS_PATH", dir.toString(),
                        "SUPABASE_CLEANUP", mode));
                try (BotDb db = BotDb.open(config, log::add, Duration.ofMillis(50))) {
                    List<String> planned = db.migrator(log::add).plan().get(0).statements();
                    assertThat(planned.contains("GRANT USAGE ON SCHEMA \"public\" TO \"anon\"")).as(mode)
                            .isEqualTo(mode.equals("off"));
                }
            }
        }

        @Test
        void javaMigrationsOfTheRunPassThroughUntouched() throws Exception {
            JavaMigration backfill = new JavaMigration() {
                @Override
                public String version() {
                    return "20240102000000_backfill";
                }

                @Override
                public void migrate(Connection c, Engine engine) throws SQLException {
                    try (Statement st = c.createStatement()) {
                        st.execute("INSERT INTO chats (id, title) VALUES (7, 'backfilled')");
                    }
                }
            };

            assertThat(migrator().javaMigration(backfill).plan()).extracting(Migrator.Planned::fileName)
                    .containsExactly(EXPORT, "20240102000000_backfill (Java)");
            MigrationResult r = migrator().javaMigration(backfill).migrate();

            assertThat(r.applied()).containsExactly(EXPORT, "20240102000000_backfill");
            assertThat(one("SELECT title FROM chats WHERE id = 7")).isEqualTo("backfilled");
            assertThat(log).anyMatch(l -> l.startsWith("[Migrations] Supabase clean-up: " + EXPORT));
        }

        @Test
        void filesOfOneRunAreCleanedInOrderWithWhatEarlierFilesCreate() throws Exception {
            Files.delete(dir.resolve(EXPORT));
            Files.writeString(dir.resolve("001_roles.sql"), "DO $$ BEGIN\n  IF NOT EXISTS (SELECT FROM pg_roles WHERE"
                    + " rolname = 'supabase_test_reader') THEN\n    CREATE ROLE supabase_test_reader NOLOGIN;\n"
                    + "  END IF;\nEND $$;\n");
            Files.writeString(dir.resolve("002_grants.sql"), "CREATE TABLE scores (id int);\n"
                    + "GRANT SELECT ON scores TO anon, supabase_test_reader;\n");
            try {
                Map<String, List<String>> plan = new LinkedHashMap<>();
                migrator().plan().forEach(p -> plan.put(p.fileName(), p.statements()));
                assertThat(plan.get("002_grants.sql")).contains("GRANT SELECT ON scores TO supabase_test_reader");

                migrator().migrate();
                assertThat(one("SELECT has_table_privilege('supabase_test_reader', 'scores', 'SELECT')")).isEqualTo("t");
            } finally {
                try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement()) {
                    st.execute("DROP OWNED BY supabase_test_reader");
                }
                TestPostgres.exec("DROP ROLE IF EXISTS supabase_test_reader");
            }
        }
    }
}
