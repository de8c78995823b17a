package dev.botdb.tune;

/**
 * One recommended setting.
 *
 * @param name   the PostgreSQL setting
 * @param value  the recommended value
 * @param reason why, with the rule and its source (pgtune, the PostgreSQL documentation, the figures the four bots' guides give)
 */
public record Recommendation(String name, PgValue value, String reason) {
}
