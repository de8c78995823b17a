package dev.botdb.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Conversion.checkUtf8 agrees with the JDK's strict UTF-8 decoder on every short sequence and on random text. */
class Utf8CheckTest {

    /** The JDK's answer: the code point count, or -1 when not UTF-8 (or holding NUL, which text refuses too). */
    private static int jdk(byte[] b) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            return s.indexOf('\0') >= 0 ? -1 : (int) s.codePoints().count();
        } catch (CharacterCodingException e) {
            return -1;
        }
    }

    private static int ours(byte[] b) {
        try {
            return Conversion.checkUtf8(b);
        } catch (BadValue e) {
            return -1;
        }
    }

    @Test
    void everySequenceOfOneTwoAndThreeBytesAndEveryLeadWithAnyContinuation() {
        for (int a = 0; a < 256; a++) {
            byte[] one = {(byte) a};
            assertThat(ours(one)).as("%02x", a).isEqualTo(jdk(one));
            for (int c = 0; c < 256; c++) {
                byte[] two = {(byte) a, (byte) c};
                assertThat(ours(two)).as("%02x %02x", a, c).isEqualTo(jdk(two));
                for (int d : new int[] {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xf5, 0xff}) {
                    byte[] three = {(byte) a, (byte) c, (byte) d};
                    assertThat(ours(three)).as("%02x %02x %02x", a, c, d).isEqualTo(jdk(three));
                    byte[] four = {(byte) a, (byte) c, (byte) d, (byte) 0x80};
                    assertThat(ours(four)).as("%02x %02x %02x 80", a, c, d).isEqualTo(jdk(four));
                }
            }
        }
    }

    @Test
    void randomTextOfEveryPlaneAndRandomDamage() {
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(20);
            for (int i = 0; i < length; i++) {
                int cp;
                do {
                    cp = switch (random.nextInt(4)) {
                        case 0 -> 1 + random.nextInt(0x7f);
                        case 1 -> 0x80 + random.nextInt(0x780);
                        case 2 -> 0x800 + random.nextInt(0xf800);
                        default -> 0x10000 + random.nextInt(0x100000);
                    };
                } while (cp >= 0xd800 && cp <= 0xdfff);
                s.appendCodePoint(cp);
            }
            byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
            assertThat(ours(b)).isEqualTo(s.codePointCount(0, s.length()));
            if (b.length > 0) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                assertThat(ours(b)).as(java.util.HexFormat.of().formatHex(b)).isEqualTo(jdk(b));
            }
        }
    }
}
