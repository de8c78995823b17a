package dev.botdb.backup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prune rules: which backups stay, which go, and why. */
class RetentionPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    private static BackupRef backup(String at) {
        return new BackupRef("app-" + at + ".botdb", Instant.parse(at), false);
    }

    private static BackupRef aged(Duration age) {
        Instant at = NOW.minus(age);
        return new BackupRef("app-" + at + ".botdb", at, false);
    }

    private static BackupRef verified(String at) {
        return new BackupRef("app-" + at + ".botdb", Instant.parse(at), true);
    }

    private static List<String> keptNames(RetentionPlan plan) {
        return plan.kept().stream().map(BackupRef::name).toList();
    }

    private static String reasonFor(RetentionPlan plan, BackupRef b) {
        return plan.decisions().stream().filter(d -> d.backup() == b).findFirst().orElseThrow().reason();
    }

    @Test
    void noBackupsGiveAnEmptyPlan() {
        RetentionPlan plan = RetentionPolicy.keepingDays(30).withKeepDaily(7).plan(List.of(), NOW);
        assertThat(plan.decisions()).isEmpty();
        assertThat(plan.summary()).isEqualTo("Retention: keeping 0, deleting 0");
    }

    @Test
    void aPolicyWithoutRulesKeepsEverything() {
        BackupRef old = aged(Duration.ofDays(400));
        RetentionPlan plan = RetentionPolicy.none().plan(List.of(old), NOW);
        assertThat(plan.kept()).containsExactly(old);
        assertThat(reasonFor(plan, old)).isEqualTo("kept: no retention rule given");
        assertThat(RetentionPolicy.none().isEmpty()).isTrue();
        assertThat(RetentionPolicy.none().describe()).isEqualTo("no rules (everything is kept)");
    }

    @Test
    void keepDaysKeepsExactlyThirtyDaysAndDeletesFromThirtyOneWholeDaysLikeFindMtime() {
        BackupRef exactly30 = aged(Duration.ofDays(30));
        BackupRef justUnder31 = aged(Duration.ofDays(31).minusSeconds(1));
        BackupRef exactly31 = aged(Duration.ofDays(31));
        BackupRef past31 = aged(Duration.ofDays(31).plusHours(2));
        BackupRef fresh = aged(Duration.ofMinutes(5));
        RetentionPlan plan = RetentionPolicy.keepingDays(30).plan(List.of(exactly30, justUnder31, exactly31, past31, fresh), NOW);
        assertThat(plan.kept()).containsExactly(fresh, exactly30, justUnder31);
        assertThat(plan.deleted()).containsExactly(exactly31, past31);
        assertThat(reasonFor(plan, exactly30)).isEqualTo("kept: within 30 days (age 30d 0h)");
        assertThat(reasonFor(plan, justUnder31)).isEqualTo("kept: within 30 days (age 30d 23h)");
        assertThat(reasonFor(plan, fresh)).isEqualTo("kept: within 30 days (age 5m)");
        assertThat(reasonFor(plan, past31)).isEqualTo("deleted: older than 30 days (age 31d 2h)");
    }

    /** find's rule, written out: the age in whole 24-hour periods, fraction dropped, compared with +N. */
    private static boolean findMtimePlusDeletes(Duration age, int n) {
        return Math.floorDiv(age.getSeconds(), 86_400L) > n;
    }

    @Test
    void keepDaysAgreesWithFindsRoundingForEveryAgeInTenMinuteSteps() {
        for (int days : new int[] {1, 7, 30}) {
            List<BackupRef> all = new ArrayList<>();
            for (long minutes = 0; minutes <= (days + 3) * 24 * 60L; minutes += 10) {
                all.add(aged(Duration.ofMinutes(minutes)));
            }
            RetentionPlan plan = RetentionPolicy.keepingDays(days).plan(all, NOW);
            for (RetentionPlan.Decision d : plan.decisions()) {
                Duration age = Duration.between(d.backup().createdAt(), NOW);
                assertThat(d.keep()).as("keep-days %d, age %s", days, age).isEqualTo(!findMtimePlusDeletes(age, days));
            }
        }
    }

    @Test
    void keepDaysThirtyKeepsWhatTheReferenceFindCommandKeepsOnRealFiles(@TempDir Path dir)
            throws IOException, InterruptedException {
        // ages at least a minute away from a whole day, so the second or two between setting the
        // times and find's own clock cannot move a file across the line
        Duration[] ages = {Duration.ofMinutes(1), Duration.ofDays(29).plusHours(5), Duration.ofDays(30).plusMinutes(1),
                Duration.ofDays(30).plusHours(23).plusMinutes(58), Duration.ofDays(31).plusMinutes(2),
                Duration.ofDays(45), Duration.ofDays(400)};
        Instant now = Instant.now();
        List<BackupRef> refs = new ArrayList<>();
        for (int i = 0; i < ages.length; i++) {
            Path f = dir.resolve("backup-" + i + ".sql.gz");
            Files.writeString(f, "x");
            Instant at = now.minus(ages[i]);
            Files.setLastModifiedTime(f, FileTime.from(at));
            refs.add(new BackupRef(f.getFileName().toString(), at, false));
        }
        Process find = new ProcessBuilder("find", dir.toString(), "-name", "backup-*.sql.gz", "-mtime", "+30", "-delete")
                .inheritIO().start();
        assertThat(find.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(find.exitValue()).isZero();
        List<String> survivors;
        try (Stream<Path> files = Files.list(dir)) {
            survivors = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> botdbKeeps = RetentionPolicy.keepingDays(30).plan(refs, now).kept().stream()
                .map(BackupRef::name).sorted().toList();
        assertThat(botdbKeeps).isEqualTo(survivors);
        assertThat(survivors).containsExactly("backup-0.sql.gz", "backup-1.sql.gz", "backup-2.sql.gz", "backup-3.sql.gz");
    }

    @Test
    void keepLastKeepsTheNewestN() {
        List<BackupRef> five = List.of(backup("2026-11-16T02:00:00Z"), backup("2026-11-17T02:00:00Z"),
                backup("2026-11-18T02:00:00Z"), backup("2026-11-19T02:00:00Z"), backup("2026-11-20T02:00:00Z"));
        RetentionPlan plan = RetentionPolicy.none().withKeepLast(3).plan(five, NOW);
        assertThat(keptNames(plan)).containsExactly("app-2026-11-20T02:00:00Z.botdb", "app-2026-11-19T02:00:00Z.botdb",
                "app-2026-11-18T02:00:00Z.botdb");
        assertThat(plan.decisions().get(1).reason()).isEqualTo("kept: one of the last 3 (2 of 3)");
        assertThat(plan.decisions().get(4).reason()).isEqualTo("deleted: not among the last 3");
    }

    @Test
    void keepDailyKeepsOnlyTheNewestOfSeveralBackupsOnOneDay() {
        BackupRef morning = backup("2026-11-20T02:00:00Z");
        BackupRef noon = backup("2026-11-20T11:00:00Z");
        BackupRef evening = backup("2026-11-19T22:00:00Z");
        BackupRef early = backup("2026-11-19T01:00:00Z");
        RetentionPlan plan = RetentionPolicy.none().withKeepDaily(7).plan(List.of(morning, noon, evening, early), NOW);
        assertThat(plan.kept()).containsExactly(noon, evening);
        assertThat(reasonFor(plan, noon)).isEqualTo("kept: newest of 2026-11-20 (daily 1 of 7)");
        assertThat(reasonFor(plan, evening)).isEqualTo("kept: newest of 2026-11-19 (daily 2 of 7)");
        assertThat(reasonFor(plan, morning)).isEqualTo("deleted: not the newest of 2026-11-20 (daily)");
    }

    @Test
    void keepDailyCountsDaysThatHaveABackupNotCalendarDays() {
        BackupRef today = backup("2026-11-20T02:00:00Z");
        BackupRef threeDaysAgo = backup("2026-11-17T02:00:00Z");
        BackupRef tenDaysAgo = backup("2026-11-10T02:00:00Z");
        RetentionPlan plan = RetentionPolicy.none().withKeepDaily(2).plan(List.of(today, threeDaysAgo, tenDaysAgo), NOW);
        assertThat(plan.kept()).containsExactly(today, threeDaysAgo);
        assertThat(reasonFor(plan, threeDaysAgo)).isEqualTo("kept: newest of 2026-11-17 (daily 2 of 2)");
        assertThat(reasonFor(plan, tenDaysAgo))
                .isEqualTo("deleted: 2026-11-10 is not among the 2 most recent days with a backup (daily)");
    }

    @Test
    void daysAreUtcDaysWhateverTheMachinesTimeZone() {
        BackupRef beforeMidnight = backup("2026-03-28T23:59:59Z");
        BackupRef afterMidnight = backup("2026-03-29T00:00:00Z");
        BackupRef alsoAfter = backup("2026-03-29T01:30:00Z"); // 03:30 in Berlin: the clocks went forward at 02:00
        List<BackupRef> all = List.of(beforeMidnight, afterMidnight, alsoAfter);
        RetentionPolicy policy = RetentionPolicy.none().withKeepDaily(5);
        RetentionPlan utc = policy.plan(all, NOW);
        TimeZone original = TimeZone.getDefault();
        RetentionPlan elsewhere;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati")); // UTC+14
            elsewhere = policy.plan(all, NOW);
        } finally {
            TimeZone.setDefault(original);
        }
        assertThat(utc.kept()).containsExactly(alsoAfter, beforeMidnight);
        assertThat(elsewhere).isEqualTo(utc);
    }

    @Test
    void keepWeeklyUsesIsoWeeksAcrossTheTurnOfTheYear() {
        BackupRef thursday = backup("2026-12-31T10:00:00Z");  // 2026-W53
        BackupRef saturday = backup("2027-01-02T10:00:00Z");  // still 2026-W53
        BackupRef monday = backup("2027-01-04T10:00:00Z");    // 2027-W01
        BackupRef earlier = backup("2026-12-20T10:00:00Z");   // 2026-W51
        Instant now = Instant.parse("2027-01-05T00:00:00Z");
        RetentionPlan plan = RetentionPolicy.none().withKeepWeekly(2).plan(List.of(thursday, saturday, monday, earlier), now);
        assertThat(plan.kept()).containsExactly(monday, saturday);
        assertThat(reasonFor(plan, monday)).isEqualTo("kept: newest of 2027-W01 (weekly 1 of 2)");
        assertThat(reasonFor(plan, saturday)).isEqualTo("kept: newest of 2026-W53 (weekly 2 of 2)");
        assertThat(reasonFor(plan, thursday)).isEqualTo("deleted: not the newest of 2026-W53 (weekly)");
        assertThat(reasonFor(plan, earlier))
                .isEqualTo("deleted: 2026-W51 is not among the 2 most recent weeks with a backup (weekly)");
    }

    @Test
    void keepMonthlyUsesCalendarMonths() {
        BackupRef jan31 = backup("2026-01-31T23:00:00Z");
        BackupRef feb1 = backup("2026-02-01T01:00:00Z");
        BackupRef feb28 = backup("2026-02-28T01:00:00Z");
        BackupRef dec = backup("2025-12-15T01:00:00Z");
        RetentionPlan plan = RetentionPolicy.none().withKeepMonthly(2).plan(List.of(jan31, feb1, feb28, dec), NOW);
        assertThat(plan.kept()).containsExactly(feb28, jan31);
        assertThat(reasonFor(plan, jan31)).isEqualTo("kept: newest of 2026-01 (monthly 2 of 2)");
        assertThat(reasonFor(plan, feb1)).isEqualTo("deleted: not the newest of 2026-02 (monthly)");
    }

    @Test
    void aBackupIsKeptWhenAnyRuleKeepsItAndTheReasonNamesEveryRuleThatDoes() {
        List<BackupRef> daily = new ArrayList<>();
        for (int d = 0; d < 90; d++) {
            daily.add(aged(Duration.ofDays(d).plusHours(10)));
        }
        RetentionPolicy policy = RetentionPolicy.keepingDays(7).withKeepLast(2).withKeepDaily(10).withKeepMonthly(3);
        RetentionPlan plan = policy.plan(daily, NOW);
        // days 0..7 by --keep-days, 0..9 by --keep-daily, plus the newest of the 3 newest months
        BackupRef newest = daily.get(0);
        assertThat(reasonFor(plan, newest)).isEqualTo("kept: within 7 days (age 10h 0m); one of the last 2 (1 of 2);"
                + " newest of 2026-11-20 (daily 1 of 10); newest of 2026-11 (monthly 1 of 3)");
        assertThat(plan.kept()).hasSize(10 + 2); // October's and September's newest
        assertThat(plan.kept()).extracting(b -> b.createdAt().toString())
                .contains("2026-10-31T02:00:00Z", "2026-09-30T02:00:00Z");
        BackupRef day21 = daily.get(21);
        assertThat(reasonFor(plan, day21)).isEqualTo("deleted: older than 7 days (age 21d 10h); not among the last 2;"
                + " 2026-10-30 is not among the 10 most recent days with a backup (daily);"
                + " not the newest of 2026-10 (monthly)");
        assertThat(policy.describe()).isEqualTo("`keepDays` 7 `keepLast` 2 `keepDaily` 10 `keepMonthly` 3");
    }

    @Test
    void unverifiedBackupsArePrunedByTheRulesAlone() {
        BackupRef old1 = aged(Duration.ofDays(40));
        BackupRef old2 = aged(Duration.ofDays(50));
        RetentionPlan plan = RetentionPolicy.keepingDays(30).plan(List.of(old1, old2), NOW);
        assertThat(plan.kept()).isEmpty();
        assertThat(plan.deleted()).containsExactly(old1, old2);
    }

    @Test
    void theNewestVerifiedBackupStaysWhenEveryVerifiedOneWouldBeDeleted() {
        BackupRef unverifiedNew = backup("2026-11-19T02:00:00Z");
        BackupRef verifiedOld = verified("2026-09-01T02:00:00Z");
        BackupRef verifiedOlder = verified("2026-08-01T02:00:00Z");
        RetentionPlan plan = RetentionPolicy.keepingDays(30).plan(List.of(verifiedOlder, unverifiedNew, verifiedOld), NOW);
        assertThat(plan.kept()).containsExactly(unverifiedNew, verifiedOld);
        assertThat(plan.deleted()).containsExactly(verifiedOlder);
        assertThat(reasonFor(plan, verifiedOld)).isEqualTo("kept: the newest verified backup (every verified backup"
                + " would otherwise be deleted: older than 30 days (age 80d 10h))");
    }

    @Test
    void noRescueWhenAVerifiedBackupIsKeptByARule() {
        BackupRef verifiedNew = verified("2026-11-19T02:00:00Z");
        BackupRef verifiedOld = verified("2026-09-01T02:00:00Z");
        RetentionPlan plan = RetentionPolicy.keepingDays(30).plan(List.of(verifiedNew, verifiedOld), NOW);
        assertThat(plan.kept()).containsExactly(verifiedNew);
        assertThat(plan.deleted()).containsExactly(verifiedOld);
    }

    @Test
    void theOnlyVerifiedBackupIsNeverDeletedEvenByKeepLast() {
        BackupRef only = verified("2026-11-01T02:00:00Z");
        List<BackupRef> all = new ArrayList<>(List.of(only));
        for (int i = 2; i <= 9; i++) {
            all.add(backup("2026-11-1" + i + "T02:00:00Z"));
        }
        RetentionPlan plan = RetentionPolicy.none().withKeepLast(3).plan(all, NOW);
        assertThat(plan.kept()).hasSize(4).contains(only);
        assertThat(reasonFor(plan, only)).startsWith("kept: the newest verified backup");
    }

    @Test
    void thePlanDoesNotDependOnTheOrderOfTheInputAndTiesGoByName() {
        Instant same = Instant.parse("2026-11-20T02:00:00Z");
        List<BackupRef> all = new ArrayList<>(List.of(new BackupRef("b.botdb", same, false),
                new BackupRef("a.botdb", same, false), backup("2026-11-19T02:00:00Z"), backup("2026-11-18T02:00:00Z")));
        RetentionPolicy policy = RetentionPolicy.none().withKeepDaily(2);
        RetentionPlan first = policy.plan(all, NOW);
        Collections.shuffle(all, new Random(42));
        assertThat(policy.plan(all, NOW)).isEqualTo(first);
        assertThat(keptNames(first)).containsExactly("b.botdb", "app-2026-11-19T02:00:00Z.botdb");
    }

    @Test
    void twoEqualBackupsGetADecisionEach() {
        BackupRef a = backup("2026-11-20T02:00:00Z");
        BackupRef twin = backup("2026-11-20T02:00:00Z");
        RetentionPlan plan = RetentionPolicy.none().withKeepLast(1).plan(List.of(a, twin), NOW);
        assertThat(plan.decisions()).hasSize(2);
        assertThat(plan.kept()).hasSize(1);
        assertThat(plan.deleted()).hasSize(1);
    }

    @Test
    void aBackupDatedAfterNowIsKeptByKeepDays() {
        BackupRef future = aged(Duration.ofHours(-3));
        RetentionPlan plan = RetentionPolicy.keepingDays(1).plan(List.of(future), NOW);
        assertThat(reasonFor(plan, future)).isEqualTo("kept: within 1 day (age -3h 0m)");
    }

    @Test
    void negativeCountsAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> RetentionPolicy.none().withKeepWeekly(-1))
                .isInstanceOf(BotDbException.class)
                .hasMessage("`keepWeekly` must be 0 or more (0 turns the rule off), but it is -1. Example: `keepWeekly` 30")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.USAGE);
    }
}
