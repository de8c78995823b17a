package dev.botdb;

/**
 * The one exception botdb throws for anything an operator can act on. The message says what is
 * wrong and then what to do; {@link #code()} tells the CLI which exit code to use. Messages never
 * contain passwords.
 */
public class BotDbException extends RuntimeException {
    private final ErrorCode code;

    public BotDbException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public BotDbException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
