package dev.botdb.backup.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.backup.schema.DdlStatement;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.backup.schema.Section;
import dev.botdb.backup.schema.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which post-data task a free connection gets: never one that would wait for a running one's lock. */
class PostDataPlanTest {
    private static final QualifiedName MESSAGES = new QualifiedName("public", "messages");
    private static final QualifiedName USERS = new QualifiedName("public", "users");

    private static DdlStatement post(int phase, String kind, QualifiedName table, String sql) {
        return new DdlStatement(Section.POST_DATA, phase, kind, new QualifiedName("public", sql), table, sql);
    }

    private static SchemaDump schema(List<DdlStatement> statements) {
        return new SchemaDump(150000, "15", List.of(), statements, List.of(
                new TableInfo(MESSAGES, List.of("id"), 2_000_000_000L, false),
                new TableInfo(USERS, List.of("id"), 10_000_000L, false)), List.of(), List.of());
    }

    @Test
    void theBiggestTablesKeyComesFirstAndItsIndexesWaitForItWhileOtherTablesWorkGoesOn() throws Exception {
        PostDataPlan plan = PostDataPlan.of(schema(List.of(
                post(1, "INDEX", USERS, "users_name_idx"),
                post(1, "INDEX", MESSAGES, "messages_chat_idx"),
                post(1, "CONSTRAINT", USERS, "users_pkey"),
                post(1, "CONSTRAINT", MESSAGES, "messages_pkey"),
                post(1, "INDEX", MESSAGES, "messages_user_idx"))), 1);

        PostDataPlan.Task first = plan.next();
        assertThat(first.statements()).extracting(DdlStatement::sql).containsExactly("messages_pkey");
        PostDataPlan.Task second = plan.next();
        assertThat(second.table()).as("while messages is locked, the other connection works on users").isEqualTo("public.users");
        assertThat(second.shared()).isFalse();
        plan.done(second);
        PostDataPlan.Task third = plan.next();
        assertThat(third.statements()).extracting(DdlStatement::sql).containsExactly("users_name_idx");
        plan.done(third);
        plan.done(first);
        PostDataPlan.Task fourth = plan.next();
        PostDataPlan.Task fifth = plan.next();
        assertThat(List.of(fourth, fifth)).as("two index builds of one table at once")
                .allSatisfy(t -> assertThat(t.table()).isEqualTo("public.messages"))
                .allSatisfy(t -> assertThat(t.shared()).isTrue());
        plan.done(fourth);
        plan.done(fifth);
        assertThat(plan.next()).isNull();
    }

    @Test
    void laterPhasesKeepEachTablesStatementsTogetherInOrder() throws Exception {
        PostDataPlan plan = PostDataPlan.of(schema(List.of(
                post(3, "TRIGGER", MESSAGES, "t1"),
                post(3, "COMMENT", MESSAGES, "c1"),
                post(3, "COMMENT", null, "schema comment"))), 3);

        PostDataPlan.Task messages = plan.next();
        assertThat(messages.statements()).extracting(DdlStatement::sql).containsExactly("t1", "c1");
        PostDataPlan.Task rest = plan.next();
        assertThat(rest.statements()).extracting(DdlStatement::sql).containsExactly("schema comment");
        plan.done(messages);
        plan.done(rest);
        assertThat(plan.next()).isNull();
    }

    @Test
    void aPlainPrimaryKeyIsBuiltAsAUniqueIndexBesideTheOthersThenAttached() {
        SchemaDump dump = schema(List.of(
                post(1, "CONSTRAINT", MESSAGES, "ALTER TABLE ONLY public.messages ADD CONSTRAINT messages_pkey PRIMARY KEY (id)"),
                post(1, "CONSTRAINT", USERS, "ALTER TABLE ONLY public.users ADD CONSTRAINT users_name_key UNIQUE NULLS NOT DISTINCT (name)"),
                post(2, "FK CONSTRAINT", MESSAGES, "ALTER TABLE ONLY public.messages ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES public.users(id)")));

        List<DdlStatement> out = PostDataPlan.keysAsIndexes(dump).statements();

        assertThat(out).extracting(DdlStatement::phase, DdlStatement::kind, DdlStatement::sql).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, "INDEX", "CREATE UNIQUE INDEX messages_pkey ON public.messages (id)"),
                org.assertj.core.groups.Tuple.tuple(1, "CONSTRAINT",
                        "ALTER TABLE ONLY public.users ADD CONSTRAINT users_name_key UNIQUE NULLS NOT DISTINCT (name)"),
                org.assertj.core.groups.Tuple.tuple(3, "FK CONSTRAINT",
                        "ALTER TABLE ONLY public.messages ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES public.users(id)"),
                org.assertj.core.groups.Tuple.tuple(2, "CONSTRAINT",
                        "ALTER TABLE ONLY public.messages ADD CONSTRAINT messages_pkey PRIMARY KEY USING INDEX messages_pkey"));
    }

    @Test
    void theLongestIndexBuildsAreHandedOutFirst() throws Exception {
        PostDataPlan plan = PostDataPlan.of(schema(List.of(
                post(1, "INDEX", MESSAGES, "CREATE UNIQUE INDEX messages_pkey ON public.messages (id)"),
                post(1, "INDEX", MESSAGES, "CREATE INDEX messages_reply_to_idx ON public.messages USING btree (reply_to)"
                        + " WHERE (reply_to IS NOT NULL)"),
                post(1, "INDEX", MESSAGES, "CREATE INDEX messages_user_id_idx ON public.messages USING btree (user_id)"),
                post(1, "INDEX", USERS, "CREATE INDEX users_a_b_idx ON public.users USING btree (a, b)"),
                post(1, "INDEX", MESSAGES, "CREATE INDEX messages_chat_id_sent_at_idx ON public.messages USING btree"
                        + " (chat_id, sent_at)"))), 1);

        List<String> order = new java.util.ArrayList<>();
        PostDataPlan.Task t;
        while ((t = plan.next()) != null) {
            order.add(t.statements().get(0).sql().split(" ")[t.statements().get(0).sql().startsWith("CREATE UNIQUE") ? 3 : 2]);
            plan.done(t);
        }
        assertThat(order).containsExactly("messages_chat_id_sent_at_idx", "messages_pkey", "messages_user_id_idx",
                "messages_reply_to_idx", "users_a_b_idx");
    }

    @Test
    void anIndexBuildWeighsItsTablesSizeTimesItsKeyColumnsHalvedWhenPartial() {
        assertThat(PostDataPlan.buildWeight(1000, "CREATE INDEX i ON public.m USING btree (chat_id, sent_at)")).isEqualTo(2000);
        assertThat(PostDataPlan.buildWeight(1000, "CREATE UNIQUE INDEX i ON public.m (id)")).isEqualTo(1000);
        assertThat(PostDataPlan.buildWeight(1000, "CREATE INDEX i ON public.m USING btree (r) WHERE (r IS NOT NULL)"))
                .isEqualTo(500);
        assertThat(PostDataPlan.buildWeight(1000, "CREATE INDEX i ON public.m USING btree (COALESCE(a, b), lower((c)::text))"))
                .as("commas inside an expression are not key columns").isEqualTo(2000);
        assertThat(PostDataPlan.buildWeight(1000, "CREATE INDEX i ON public.m USING btree (\"a,(b\", (('x,)'::text || c)))"))
                .as("nor are commas and brackets in quoted names and literals").isEqualTo(2000);
        assertThat(PostDataPlan.buildWeight(1000, "CREATE INDEX i ON public.m USING btree (a) INCLUDE (b, c)"))
                .as("INCLUDE columns are not sorted on").isEqualTo(1000);
        assertThat(PostDataPlan.buildWeight(1000, "CREATE INDEX \"odd (x, y\" ON public.\"t(\" USING gin (settings jsonb_path_ops)"
                + " WHERE (a > 1)")).as("brackets in the index's and table's names").isEqualTo(500);
    }
}
