package dev.botdb.bench;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.postgresql.copy.CopyIn;

/**
 * Rows in PostgreSQL's {@code COPY ... FROM STDIN} text format, built as UTF-8 bytes and sent in
 * chunks of about a megabyte, plus the chat-like text they hold: words drawn from an English and
 * a Russian vocabulary with a Zipf-like skew, sentences, the odd emoji, link, number and line
 * break. Real chat text compresses about 3:1 with gzip; random bytes would not compress at all and
 * would make every archive format look alike.
 */
final class CopyRows {
    private static final int FLUSH_AT = 1 << 20;

    private static final Vocabulary ENGLISH = new Vocabulary("""
            the i you to a and it is that of in me my for this not be on have do what so we just no but with
            are was all your can like know if get at one its now out up will they there about how yes he good
            here go think ok okay thanks thank please when time then why see well want need really who from
            right would could should did got going make take come back more some any much very too also only
            still even again today tomorrow yesterday tonight morning night day week month year work home
            bot group chat message admin rules spam ban mute warn link photo video sticker voice file channel
            join left welcome hello hi hey bye guys everyone someone anyone something nothing everything
            people person friend friends team support help problem issue question answer update version new
            old first last next best better great nice cool sure maybe probably actually already never always
            sometimes often usually soon later before after because since while where which whose them their
            our us him her his she has had been being were am does doing done said say says tell told ask
            asked try tried use used using send sent read write wrote call called find found give gave keep
            let put set show showed start started stop stopped open close check checked fix fixed test works
            working broken error crash bug feature server price money free pay paid buy sell order delivery
            game play played win lost match team score goal league season player coach news city country
            weather rain sun cold hot water coffee tea food pizza lunch dinner breakfast car bus train road
            phone number email account password login code app android iphone windows linux download install
            lol haha omg wow wtf idk btw imo thx pls np ty gg brb afk irl ikr smh tbh
            love like hate miss hope wish feel look looks looking wait waiting sorry happy sad angry funny
            crazy weird strange real true false wrong fine bad big small long short high low fast slow easy
            hard simple quick full empty late early ready busy tired sick well enough almost quite rather
            """);

    private static final Vocabulary RUSSIAN = new Vocabulary("""
            и в не на я что он с как это а то все она так его но да ты к у же вы за бы по только ее мне было
            вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
            нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
            чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
            совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
            наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве
            три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда
            конечно всю между привет спасибо пожалуйста бот чат группа админ правила спам бан мут ссылка
            фото видео стикер голосовое файл канал сообщение ребята кто-нибудь вопрос ответ помощь проблема
            работает сломалось ошибка обновление версия сервер деньги цена заказ доставка игра матч команда
            новости город погода кофе чай еда работа дом утро вечер ночь день неделя месяц год сегодня завтра
            вчера давно скоро потом сначала короче типа кстати вообще просто реально спасибки ок окей ага
            норм круто класс жесть блин ладно понятно согласен думаю знаю хочу могу надо нужно есть пишу
            читаю смотрю жду понял поняла сделал сделала скинь напиши позвони добавь удали проверь запусти
            """);

    private static final byte[][] EMOJI = Arrays.stream("😂 👍 🔥 ❤️ 🙏 😅 🤔 👀 ✅ 😭 🎉 💯".split(" "))
            .map(e -> e.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    private static final String[] SITES = {"https://t.me/", "https://youtu.be/", "https://github.com/",
            "https://example.com/", "https://docs.google.com/document/d/", "https://www.reddit.com/r/"};
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
            .getBytes(StandardCharsets.US_ASCII);

    private final CopyIn copy;
    private byte[] buf = new byte[FLUSH_AT + (64 << 10)];
    private int len;
    private long sent;

    CopyRows(CopyIn copy) {
        this.copy = copy;
    }

    /** Ends a row, sending the buffer when it is full. */
    void endRow() throws SQLException {
        put((byte) '\n');
        if (len >= FLUSH_AT) {
            flush();
        }
    }

    /** Sends what is left and ends the COPY; returns the rows the server counted. */
    long finish() throws SQLException {
        flush();
        return copy.endCopy();
    }

    /** Bytes sent so far. */
    long sent() {
        return sent + len;
    }

    private void flush() throws SQLException {
        if (len > 0) {
            copy.writeToCopy(buf, 0, len);
            sent += len;
            len = 0;
        }
    }

    CopyRows tab() {
        return put((byte) '\t');
    }

    CopyRows nul() {
        return put((byte) '\\').put((byte) 'N');
    }

    CopyRows bool(boolean b) {
        return put((byte) (b ? 't' : 'f'));
    }

    /** Text without tabs, newlines or backslashes (the callers' words and JSON have none). */
    CopyRows ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    CopyRows bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    CopyRows num(long v) {
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            if (v == Long.MIN_VALUE) {
                return ascii("9223372036854775808");
            }
            v = -v;
        }
        int start = len;
        do {
            buf[len++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /** A timestamptz in UTC, {@code 2024-03-01 12:34:56[.123456]+00}; {@code micros} < 0 leaves the fraction out. */
    CopyRows timestamp(long epochSecond, int micros) {
        long days = Math.floorDiv(epochSecond, 86_400);
        int secs = (int) Math.floorMod(epochSecond, 86_400);
        // civil-from-days (H. Hinnant's algorithm): proleptic Gregorian date of a day count
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        num(year).put((byte) '-');
        two(month).put((byte) '-');
        two(day).put((byte) ' ');
        two(secs / 3600).put((byte) ':');
        two(secs / 60 % 60).put((byte) ':');
        two(secs % 60);
        if (micros >= 0) {
            put((byte) '.');
            ensure(6);
            for (int d = 100_000; d > 0; d /= 10) {
                buf[len++] = (byte) ('0' + micros / d % 10);
            }
        }
        return ascii("+00");
    }

    private CopyRows two(int v) {
        return put((byte) ('0' + v / 10)).put((byte) ('0' + v % 10));
    }

    /** A word of the vocabulary, skewed to the common ones. */
    CopyRows word(SplittableRandom r, boolean russian) {
        Vocabulary v = russian ? RUSSIAN : ENGLISH;
        return bytes(v.words[v.pick(r)]);
    }

    /** The same word with a capital. */
    CopyRows capitalWord(SplittableRandom r, boolean russian) {
        Vocabulary v = russian ? RUSSIAN : ENGLISH;
        return bytes(v.capitalised[v.pick(r)]);
    }

    /** The English word at {@code i} (modulo the vocabulary's size): ASCII letters only, unique per index. */
    static String englishWord(int i) {
        return new String(ENGLISH.words[Math.floorMod(i, ENGLISH.words.length)], StandardCharsets.US_ASCII);
    }

    /** How many distinct English words there are. */
    static int englishWords() {
        return ENGLISH.words.length;
    }

    /** {@code n} random letters, digits or underscores (invite codes, file ids). */
    CopyRows token(SplittableRandom r, int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = ALNUM[r.nextInt(ALNUM.length)];
        }
        return this;
    }

    /** {@code n} lowercase hex digits. */
    CopyRows hex(SplittableRandom r, int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = HEX[r.nextInt(16)];
        }
        return this;
    }

    /**
     * A chat message of 20 to 400 characters (most of them short, as in real chats): words in
     * sentences with commas, some capitalised, now and then an emoji, a number, a link, and a line
     * break ({@code \n} escaped for COPY) unless {@code lineBreaks} is false (text inside JSON).
     * Returns where a link starts (characters from the start) in the lower half and its length in
     * the upper half, for the message's entities, or -1 without a link.
     */
    long message(SplittableRandom r, boolean russian, String mention, boolean lineBreaks) {
        Vocabulary v = russian ? RUSSIAN : ENGLISH;
        double u = r.nextDouble();
        int target = 20 + (int) (380 * u * u * Math.sqrt(u));
        int chars = 0;
        long link = -1;
        boolean capital = r.nextInt(3) > 0;
        if (mention != null) {
            ascii(mention).put((byte) ' ');
            chars += mention.length() + 1;
            capital = false;
        }
        while (true) {
            int kind = r.nextInt(100);
            int added;
            if (kind < 2 && chars + 40 < 400) {
                int at = chars;
                int start = len;
                ascii(SITES[r.nextInt(SITES.length)]).token(r, 6 + r.nextInt(16));
                added = len - start;
                link = ((long) added << 32) | at;
            } else if (kind < 5) {
                bytes(EMOJI[r.nextInt(EMOJI.length)]);
                added = 1;
            } else if (kind < 8) {
                int start = len;
                num(r.nextInt(r.nextBoolean() ? 100 : 100_000));
                added = len - start;
            } else {
                int w = v.pick(r);
                byte[] word = capital ? v.capitalised[w] : v.words[w];
                bytes(word);
                added = v.chars[w];
                capital = false;
            }
            chars += added;
            if (chars >= target) {
                break;
            }
            int sep = r.nextInt(100);
            if (sep < 6) {
                put((byte) ',').put((byte) ' ');
                chars += 2;
            } else if (sep < 10) {
                put((byte) (sep < 8 ? '.' : sep < 9 ? '?' : '!')).put((byte) ' ');
                chars += 2;
                capital = true;
            } else if (sep < 11 && lineBreaks) {
                put((byte) '\\').put((byte) 'n');  // a line break, escaped for COPY text
                chars += 1;
                capital = true;
            } else {
                put((byte) ' ');
                chars += 1;
            }
        }
        int end = r.nextInt(8);
        if (end < 2) {
            put((byte) (end == 0 ? '?' : '!'));
        } else if (end < 4) {
            put((byte) '.');
        }
        return link;
    }

    private CopyRows put(byte b) {
        ensure(1);
        buf[len++] = b;
        return this;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    /** Words as UTF-8, with their capitalised forms and lengths in characters. */
    private static final class Vocabulary {
        final byte[][] words;
        final byte[][] capitalised;
        final int[] chars;

        Vocabulary(String text) {
            String[] w = new java.util.LinkedHashSet<>(List.of(text.strip().split("\\s+"))).toArray(String[]::new);
            words = new byte[w.length][];
            capitalised = new byte[w.length][];
            chars = new int[w.length];
            for (int i = 0; i < w.length; i++) {
                words[i] = w[i].getBytes(StandardCharsets.UTF_8);
                capitalised[i] = (Character.toUpperCase(w[i].charAt(0)) + w[i].substring(1)).getBytes(StandardCharsets.UTF_8);
                chars[i] = w[i].length();
            }
        }

        /** An index skewed to the front of the list (the common words), roughly Zipf: P(i < x) = (x/n)^0.4. */
        int pick(SplittableRandom r) {
            double u = r.nextDouble();
            return (int) (words.length * u * u * Math.sqrt(u));
        }
    }
}
