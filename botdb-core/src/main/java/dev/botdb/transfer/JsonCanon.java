package dev.botdb.transfer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON as PostgreSQL's {@code jsonb} keeps it, for comparing what was sent with what the server stored: object
 * keys sorted and unique (the last of duplicates wins), whitespace gone, numbers compared by value. Also the
 * check that a value is JSON the server accepts ({@code \u0000} is refused by jsonb).
 */
final class JsonCanon {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonCanon() {
    }

    /** Throws BadValue when {@code b} is not one JSON value (or, for jsonb, holds {@code \u0000}). */
    static void check(byte[] b, int off, int len, boolean jsonb) throws BadValue {
        try (JsonParser p = FACTORY.createParser(b, off, len)) {
            if (p.nextToken() == null) {
                throw new BadValue("is empty, which is not JSON; store null or '{}' instead", new String(b, off, len,
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new BadValue("is not one JSON value: more follows it", text(b, off, len));
            }
        } catch (JsonProcessingException e) {
            throw new BadValue("is not valid JSON (" + e.getOriginalMessage() + ")", text(b, off, len));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (jsonb && contains(b, off, len, "\\u0000")) {
            throw new BadValue("holds \\u0000, which jsonb cannot store; make the column json or remove it", text(b, off, len));
        }
    }

    private static String text(byte[] b, int off, int len) {
        return new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static boolean contains(byte[] b, int off, int len, String ascii) {
        outer:
        for (int i = off; i + ascii.length() <= off + len; i++) {
            for (int k = 0; k < ascii.length(); k++) {
                if (b[i + k] != ascii.charAt(k)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The canonical bytes of the JSON in {@code b[off, off + len)}. */
    static byte[] canonical(byte[] b, int off, int len) {
        try (JsonParser p = FACTORY.createParser(b, off, len)) {
            p.nextToken();
            Object tree = read(p);
            ByteArrayOutputStream out = new ByteArrayOutputStream(len);
            try (JsonGenerator g = FACTORY.createGenerator(out)) {
                write(g, tree);
            }
            return out.toByteArray();
        } catch (IOException e) {
            return java.util.Arrays.copyOfRange(b, off, off + len); // not JSON: compared as it is
        }
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new TreeMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    m.put(key, read(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                return l;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                BigDecimal d = p.getDecimalValue();
                return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            default -> {
                return null;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d.toPlainString());
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeNull();
        }
    }
}
