package dev.botdb.backup.retention;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which backups {@code botdb backup prune} keeps. Every rule is optional (0 turns it off) and a
 * backup is kept when any rule keeps it, as restic's and borg's {@code forget --keep-*} do:
 *
 * <ul>
 *   <li>{@code keepDays} N: every backup younger than N + 1 whole days (see below);</li>
 *   <li>{@code keepLast} N: the N newest backups;</li>
 *   <li>{@code keepDaily} N: the newest backup of each of the N most recent days that have one;</li>
 *   <li>{@code keepWeekly} N: likewise per ISO week (Monday to Sunday, {@code 2026-W47});</li>
 *   <li>{@code keepMonthly} N: likewise per calendar month.</li>
 * </ul>
 * Days, weeks and months are UTC, so there are no daylight-saving jumps. The newest verified
 * backup is never deleted when every verified one would otherwise be: a pruned folder always
 * holds a backup known to restore, if it ever held one. A policy without rules keeps everything.
 *
 * <p><b>{@code --keep-days} and {@code find -mtime}.</b> The Activity Challenge script prunes with
 * {@code find backups -name 'backup-*.sql.gz' -mtime +30 -delete}. find counts a file's age in
 * whole 24-hour periods, dropping the fraction, so {@code +30} matches files at least 31 days
 * (744 hours) old; a file 30 days and 23 hours old stays. {@code keepDays(30)} draws the same line:
 * a backup is deleted once it is 31 × 24 hours old, so botdb keeps everything that find keeps. The
 * age is counted from the backup's creation time in its manifest rather than the file's mtime
 * (which a copy or {@code touch} changes); for the script's files the two differ by the time the
 * dump took.
 *
 * <pre>{@code
 * RetentionPlan plan = RetentionPolicy.keepingDays(30).withKeepDaily(7).plan(backups, Instant.now());
 * plan.deleted().forEach(b -> delete(b.name()));
 * }</pre>
 *
 * @param keepDays    keep backups less than {@code keepDays + 1} whole days old; 0 = off
 * @param keepLast    keep the newest N; 0 = off
 * @param keepDaily   keep the newest of each of the N most recent days with backups; 0 = off
 * @param keepWeekly  the same per ISO week; 0 = off
 * @param keepMonthly the same per calendar month; 0 = off
 */
public record RetentionPolicy(int keepDays, int keepLast, int keepDaily, int keepWeekly, int keepMonthly) {

    private static final Duration DAY = Duration.ofDays(1);
    /** Newest first; equal times by name, so the plan never depends on the order it was given. */
    private static final Comparator<BackupRef> NEWEST_FIRST = Comparator.comparing(BackupRef::createdAt)
            .thenComparing(BackupRef::name).reversed();

    public RetentionPolicy {
        check("`keepDays`", keepDays);
        check("`keepLast`", keepLast);
        check("`keepDaily`", keepDaily);
        check("`keepWeekly`", keepWeekly);
        check("`keepMonthly`", keepMonthly);
    }

    private static void check(String flag, int value) {
        if (value < 0) {
            throw new BotDbException(ErrorCode.USAGE, flag + " must be 0 or more (0 turns the rule off), but it is "
                    + value + ". Example: " + flag + " 30");
        }
    }

    /** No rules: keeps everything. */
    public static RetentionPolicy none() {
        return new RetentionPolicy(0, 0, 0, 0, 0);
    }

    /** {@code --keep-days N}: what {@code find -mtime +N -delete} would leave. */
    public static RetentionPolicy keepingDays(int days) {
        return none().withKeepDays(days);
    }

    public RetentionPolicy withKeepDays(int n) {
        return new RetentionPolicy(n, keepLast, keepDaily, keepWeekly, keepMonthly);
    }

    public RetentionPolicy withKeepLast(int n) {
        return new RetentionPolicy(keepDays, n, keepDaily, keepWeekly, keepMonthly);
    }

    public RetentionPolicy withKeepDaily(int n) {
        return new RetentionPolicy(keepDays, keepLast, n, keepWeekly, keepMonthly);
    }

    public RetentionPolicy withKeepWeekly(int n) {
        return new RetentionPolicy(keepDays, keepLast, keepDaily, n, keepMonthly);
    }

    public RetentionPolicy withKeepMonthly(int n) {
        return new RetentionPolicy(keepDays, keepLast, keepDaily, keepWeekly, n);
    }

    /** True when no rule is on (such a policy keeps every backup). */
    public boolean isEmpty() {
        return keepDays == 0 && keepLast == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0;
    }

    /** The rules that are on, as flags: {@code --keep-days 30 --keep-daily 7}. */
    public String describe() {
        if (isEmpty()) {
            return "no rules (everything is kept)";
        }
        List<String> parts = new ArrayList<>();
        add(parts, "`keepDays`", keepDays);
        add(parts, "`keepLast`", keepLast);
        add(parts, "`keepDaily`", keepDaily);
        add(parts, "`keepWeekly`", keepWeekly);
        add(parts, "`keepMonthly`", keepMonthly);
        return String.join(" ", parts);
    }

    private static void add(List<String> parts, String flag, int value) {
        if (value > 0) {
            parts.add(flag + " " + value);
        }
    }

    /**
     * Decides for each backup whether to keep or delete it.
     *
     * @param backups complete backups, in any order
     * @param now     the moment ages are measured from
     */
    public RetentionPlan plan(List<BackupRef> backups, Instant now) {
        List<BackupRef> sorted = backups.stream().sorted(NEWEST_FIRST).toList();
        if (isEmpty()) {
            return new RetentionPlan(sorted.stream()
                    .map(b -> new RetentionPlan.Decision(b, true, "kept: no retention rule given")).toList());
        }
        // by identity: two backups may be equal records (same name and time in two folders)
        Map<BackupRef, List<String>> keepReasons = new IdentityHashMap<>();
        Map<BackupRef, List<String>> deleteReasons = new IdentityHashMap<>();
        for (BackupRef b : sorted) {
            keepReasons.put(b, new ArrayList<>());
            deleteReasons.put(b, new ArrayList<>());
        }
        if (keepDays > 0) {
            for (BackupRef b : sorted) {
                Duration age = Duration.between(b.createdAt(), now);
                // find -mtime +N drops the fraction of a day: deleted from N + 1 whole days on
                if (age.compareTo(DAY.multipliedBy(keepDays + 1L)) < 0) {
                    keepReasons.get(b).add("within " + days(keepDays) + " (age " + age(age) + ")");
                } else {
                    deleteReasons.get(b).add("older than " + days(keepDays) + " (age " + age(age) + ")");
                }
            }
        }
        if (keepLast > 0) {
            for (int i = 0; i < sorted.size(); i++) {
                BackupRef b = sorted.get(i);
                if (i < keepLast) {
                    keepReasons.get(b).add("one of the last " + keepLast + " (" + (i + 1) + " of " + keepLast + ")");
                } else {
                    deleteReasons.get(b).add("not among the last " + keepLast);
                }
            }
        }
        periods(sorted, keepDaily, "daily", b -> utcDate(b).toString(), keepReasons, deleteReasons);
        periods(sorted, keepWeekly, "weekly", RetentionPolicy::isoWeek, keepReasons, deleteReasons);
        periods(sorted, keepMonthly, "monthly", b -> YearMonth.from(utcDate(b)).toString(), keepReasons,
                deleteReasons);
        Optional<BackupRef> rescued = lastVerified(sorted, keepReasons);
        List<RetentionPlan.Decision> decisions = new ArrayList<>();
        for (BackupRef b : sorted) {
            List<String> keep = keepReasons.get(b);
            if (!keep.isEmpty()) {
                decisions.add(new RetentionPlan.Decision(b, true, "kept: " + String.join("; ", keep)));
            } else if (rescued.isPresent() && rescued.get() == b) {
                decisions.add(new RetentionPlan.Decision(b, true, "kept: the newest verified backup (every verified"
                        + " backup would otherwise be deleted: " + String.join("; ", deleteReasons.get(b)) + ")"));
            } else {
                decisions.add(new RetentionPlan.Decision(b, false, "deleted: " + String.join("; ", deleteReasons.get(b))));
            }
        }
        return new RetentionPlan(decisions);
    }

    /**
     * Keeps the newest backup of each of the {@code count} most recent periods that have one:
     * {@code sorted} is newest first, so the first backup seen in a period is its newest.
     */
    private static void periods(List<BackupRef> sorted, int count, String rule, Function<BackupRef, String> period,
                                Map<BackupRef, List<String>> keepReasons, Map<BackupRef, List<String>> deleteReasons) {
        if (count == 0) {
            return;
        }
        Map<String, BackupRef> newestOf = new HashMap<>();
        for (BackupRef b : sorted) {
            String p = period.apply(b);
            BackupRef newest = newestOf.get(p);
            if (newest != null) {
                deleteReasons.get(b).add("not the newest of " + p + " (" + rule + ")");
                continue;
            }
            newestOf.put(p, b);
            int rank = newestOf.size();
            if (rank <= count) {
                keepReasons.get(b).add("newest of " + p + " (" + rule + " " + rank + " of " + count + ")");
            } else {
                deleteReasons.get(b).add(p + " is not among the " + count + " most recent " + unit(rule)
                        + " with a backup (" + rule + ")");
            }
        }
    }

    private static String unit(String rule) {
        return switch (rule) {
            case "daily" -> "days";
            case "weekly" -> "weeks";
            default -> "months";
        };
    }

    /** The newest verified backup when verified ones exist but none is kept by a rule. */
    private static Optional<BackupRef> lastVerified(List<BackupRef> sorted, Map<BackupRef, List<String>> keepReasons) {
        boolean verifiedKept = sorted.stream().anyMatch(b -> b.verified() && !keepReasons.get(b).isEmpty());
        return verifiedKept ? Optional.empty() : sorted.stream().filter(BackupRef::verified).findFirst();
    }

    private static LocalDate utcDate(BackupRef b) {
        return LocalDate.ofInstant(b.createdAt(), ZoneOffset.UTC);
    }

    /** The ISO week, {@code 2026-W47}; 2027-01-01 is in {@code 2026-W53}. */
    static String isoWeek(BackupRef b) {
        LocalDate d = utcDate(b);
        return String.format(Locale.ROOT, "%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    private static String days(int n) {
        return n == 1 ? "1 day" : n + " days";
    }

    /** {@code 31d 4h}, {@code 5h 12m}, {@code 3m}; negative for a backup dated after {@code now}. */
    static String age(Duration age) {
        if (age.isNegative()) {
            return "-" + age(age.negated());
        }
        long days = age.toDays();
        long hours = age.toHoursPart();
        long minutes = age.toMinutesPart();
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        return hours > 0 ? hours + "h " + minutes + "m" : minutes + "m";
    }
}
