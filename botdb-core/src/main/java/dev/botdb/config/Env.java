package dev.botdb.config;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads variables from one environment snapshot; blank values count as unset. */
final class Env {
    private final Map<String, String> vars;

    Env(Map<String, String> vars) {
        this.vars = withoutNulls(vars);
    }

    /** An immutable copy without null names or values: a null value counts as unset, like a blank one. */
    static Map<String, String> withoutNulls(Map<String, String> vars) {
        Map<String, String> copy = new HashMap<>();
        vars.forEach((name, value) -> {
            if (name != null && value != null) {
                copy.put(name, value);
            }
        });
        return Map.copyOf(copy);
    }

    Optional<String> get(String name) {
        String v = vars.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    boolean has(String name) {
        return get(name).isPresent();
    }

    /** A whole number within [min, max], or empty when unset; anything else is a clear error. */
    Optional<Integer> intIn(String name, int min, int max, String unit) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String text = raw.get();
        String range = "a whole number from " + min + " to " + max + (unit.isEmpty() ? "" : " (" + unit + ")");
        if (!text.matches("[+-]?[0-9]{1,9}")) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " must be " + range + ", but it is '"
                    + Redaction.printable(text) + "'. Example: " + name + "=" + Math.max(min, Math.min(max, 10)));
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " must be " + range + ", but it is "
                    + value + ". Example: " + name + "=" + Math.max(min, Math.min(max, 10)));
        }
        return Optional.of(value);
    }

    /** true/false in the spellings people use in .env files. */
    boolean flag(String name, boolean fallback) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        return switch (raw.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " must be true or false, but it is '"
                    + Redaction.printable(raw.get()) + "'. Example: " + name + "=true");
        };
    }
}
