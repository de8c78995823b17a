package dev.botdb.pool;

import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SslMode;
import dev.botdb.dialect.ServerInfo;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/**
 * {@code botdb wait}'s first try, without pgjdbc: logs in over PostgreSQL's wire protocol (version 3:
 * startup message; trust, password, MD5 or SCRAM-SHA-256 authentication) and runs one query, as
 * {@code pg_isready} is libpq's. pgjdbc's first connection costs a cold JVM about 75 ms (600 classes)
 * before it sends a byte; this costs a few. It is only ever a shortcut to "ready": whatever it does not
 * speak (TLS, a socket path, other authentication methods, driver properties) and every failure return
 * {@code null}, and the caller goes on with pgjdbc, which retries, classifies and explains failures.
 */
final class PgProbe {
    private static final int PROTOCOL_3_0 = 196_608;
    private static final int SSL_REQUEST = 80_877_103;
    /** Parameters that mean the same to the server whoever connects; any other sends the caller to pgjdbc. */
    private static final Set<String> SPOKEN = Set.of("sslmode", "connect_timeout", "application_name", "options");

    private PgProbe() {
    }

    /** The server when it accepted the login and answered a query; null for "ask pgjdbc". */
    static ServerInfo ready(PostgresTarget t, int connectTimeoutSeconds) {
        if (!speaks(t)) {
            return null;
        }
        try (Socket socket = new Socket()) {
            int timeoutMs = connectTimeoutSeconds * 1000;
            socket.connect(new InetSocketAddress(t.host(), t.port()), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            if (t.sslMode() == SslMode.PREFER) {
                // libpq's default asks for TLS first; a server that has it is left to pgjdbc, which speaks TLS
                out.write(new Message(0).int32(SSL_REQUEST).bytes());
                out.flush();
                if (in.read() != 'N') {
                    return null;
                }
            }
            out.write(startup(t).bytes());
            out.flush();
            String version = login(t, in, out);
            if (version == null) {
                return null;
            }
            out.write(new Message('Q').cstring("SELECT current_setting('server_version_num')").bytes());
            out.flush();
            Integer number = null;
            while (true) {
                int type = in.readUnsignedByte();
                byte[] body = new byte[in.readInt() - 4];
                in.readFully(body);
                if (type == 'D') { // DataRow: int16 columns, int32 length, bytes
                    int length = (body[2] & 0xff) << 24 | (body[3] & 0xff) << 16 | (body[4] & 0xff) << 8 | body[5] & 0xff;
                    number = Integer.valueOf(new String(body, 6, length, StandardCharsets.UTF_8));
                } else if (type == 'E') {
                    return null;
                } else if (type == 'Z') {
                    break;
                }
            }
            out.write(new Message('X').bytes());
            out.flush();
            if (number == null) {
                return null;
            }
            int space = version.indexOf(' '); // Debian builds say "15.19 (Debian 15.19-0+deb12u1)", as Dialect
            return new ServerInfo("PostgreSQL", space < 0 ? version : version.substring(0, space), number);
        } catch (IOException | RuntimeException | GeneralSecurityException e) {
            return null;
        }
    }

    private static boolean speaks(PostgresTarget t) {
        return (t.sslMode() == SslMode.DISABLE || t.sslMode() == SslMode.ALLOW || t.sslMode() == SslMode.PREFER)
                && t.jdbcProperties().isEmpty() && SPOKEN.containsAll(t.parameters().keySet())
                && !t.host().startsWith("/") && t.host().indexOf(',') < 0;
    }

    private static Message startup(PostgresTarget t) {
        Message m = new Message(0).int32(PROTOCOL_3_0)
                .cstring("user").cstring(t.user())
                .cstring("database").cstring(t.database())
                .cstring("application_name").cstring(t.parameters().getOrDefault("application_name", "botdb wait"));
        String options = t.parameters().get("options");
        if (options != null) {
            m.cstring("options").cstring(options);
        }
        return m.cstring("");
    }

    /** Reads authentication and start-up messages up to ReadyForQuery; the server_version, or null. */
    private static String login(PostgresTarget t, DataInputStream in, OutputStream out)
            throws IOException, GeneralSecurityException {
        String password = t.password() == null ? null : t.password().reveal();
        Scram scram = null;
        String version = null;
        while (true) {
            int type = in.readUnsignedByte();
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            switch (type) {
                case 'R' -> {
                    int code = (body[0] & 0xff) << 24 | (body[1] & 0xff) << 16 | (body[2] & 0xff) << 8 | body[3] & 0xff;
                    if (code == 0) {
                        continue; // AuthenticationOk
                    }
                    if (password == null) {
                        return null;
                    }
                    switch (code) {
                        case 3 -> out.write(new Message('p').cstring(password).bytes());
                        case 5 -> {
                            String inner = md5Hex((password + t.user()).getBytes(StandardCharsets.UTF_8));
                            byte[] salted = new byte[32 + 4];
                            System.arraycopy(inner.getBytes(StandardCharsets.US_ASCII), 0, salted, 0, 32);
                            System.arraycopy(body, 4, salted, 32, 4);
                            out.write(new Message('p').cstring("md5" + md5Hex(salted)).bytes());
                        }
                        case 10 -> {
                            if (!new String(body, 4, body.length - 4, StandardCharsets.UTF_8).contains("SCRAM-SHA-256\0")
                                    || !isAscii(password)) {
                                return null; // SCRAM-SHA-256-PLUS only, or a password SASLprep would change
                            }
                            scram = new Scram(password);
                            byte[] first = scram.clientFirst().getBytes(StandardCharsets.UTF_8);
                            out.write(new Message('p').cstring("SCRAM-SHA-256").int32(first.length).raw(first).bytes());
                        }
                        case 11 -> {
                            if (scram == null) {
                                return null;
                            }
                            String reply = scram.clientFinal(new String(body, 4, body.length - 4, StandardCharsets.UTF_8));
                            if (reply == null) {
                                return null;
                            }
                            out.write(new Message('p').raw(reply.getBytes(StandardCharsets.UTF_8)).bytes());
                        }
                        case 12 -> {
                            if (scram == null || !scram.serverVerified(new String(body, 4, body.length - 4,
                                    StandardCharsets.UTF_8))) {
                                return null;
                            }
                        }
                        default -> {
                            return null; // Kerberos, GSS, SSPI: pgjdbc's
                        }
                    }
                    out.flush();
                }
                case 'S' -> { // ParameterStatus: name \0 value \0
                    String[] kv = new String(body, StandardCharsets.UTF_8).split("\0");
                    if (kv.length >= 2 && kv[0].equals("server_version")) {
                        version = kv[1];
                    }
                }
                case 'E' -> {
                    return null;
                }
                case 'Z' -> {
                    return version;
                }
                default -> {
                    // BackendKeyData, NoticeResponse, NegotiateProtocolVersion: nothing to do
                }
            }
        }
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    private static String md5Hex(byte[] bytes) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    /** SCRAM-SHA-256 as RFC 5802 and 7677 define it, without channel binding ("n,,"), as libpq without TLS. */
    static final class Scram {
        private final String password;
        private final String clientNonce;
        private String authMessage;
        private byte[] saltedPassword;

        Scram(String password) {
            this.password = password;
            byte[] nonce = new byte[18];
            new SecureRandom().nextBytes(nonce);
            this.clientNonce = Base64.getEncoder().encodeToString(nonce);
        }

        private String clientFirstBare() {
            return "n=,r=" + clientNonce; // PostgreSQL takes the user from the start-up message
        }

        String clientFirst() {
            return "n,," + clientFirstBare();
        }

        /** The client-final message for the server-first one, or null when it is not a valid answer. */
        String clientFinal(String serverFirst) throws GeneralSecurityException {
            String nonce = null;
            byte[] salt = null;
            int iterations = 0;
            for (String part : serverFirst.split(",")) {
                if (part.startsWith("r=")) {
                    nonce = part.substring(2);
                } else if (part.startsWith("s=")) {
                    salt = Base64.getDecoder().decode(part.substring(2));
                } else if (part.startsWith("i=")) {
                    iterations = Integer.parseInt(part.substring(2));
                }
            }
            if (nonce == null || !nonce.startsWith(clientNonce) || salt == null || iterations <= 0) {
                return null;
            }
            saltedPassword = pbkdf2(password.getBytes(StandardCharsets.UTF_8), salt, iterations);
            byte[] clientKey = hmac(saltedPassword, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            String withoutProof = "c=biws,r=" + nonce;
            authMessage = clientFirstBare() + "," + serverFirst + "," + withoutProof;
            byte[] signature = hmac(storedKey, authMessage);
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
        }

        /** Whether the server proved it knows the password too (its "v=" signature). */
        boolean serverVerified(String serverFinal) throws GeneralSecurityException {
            if (authMessage == null || !serverFinal.startsWith("v=")) {
                return false;
            }
            byte[] expected = hmac(hmac(saltedPassword, "Server Key"), authMessage);
            return MessageDigest.isEqual(expected, Base64.getDecoder().decode(serverFinal.substring(2).strip()));
        }

        private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
            return new HmacSha256(key).mac(data.getBytes(StandardCharsets.UTF_8));
        }

        /** PBKDF2 with HMAC-SHA-256 (RFC 8018), one 32-byte block: SCRAM's Hi(). */
        static byte[] pbkdf2(byte[] password, byte[] salt, int iterations) throws GeneralSecurityException {
            HmacSha256 prf = new HmacSha256(password);
            byte[] first = new byte[salt.length + 4];
            System.arraycopy(salt, 0, first, 0, salt.length);
            first[first.length - 1] = 1; // INT(1)
            byte[] u = prf.mac(first);
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = prf.mac(u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            return result;
        }
    }

    /**
     * HMAC-SHA-256 (RFC 2104) on the SUN provider's SHA-256, with the keyed pads hashed once. javax.crypto's
     * Mac would load the SunJCE provider first, which a cold health check pays ~30 ms for.
     */
    static final class HmacSha256 {
        private final MessageDigest inner;
        private final MessageDigest outer;

        HmacSha256(byte[] key) throws GeneralSecurityException {
            byte[] k = key.length > 64 ? MessageDigest.getInstance("SHA-256").digest(key) : key;
            byte[] ipad = new byte[64];
            byte[] opad = new byte[64];
            for (int i = 0; i < 64; i++) {
                byte b = i < k.length ? k[i] : 0;
                ipad[i] = (byte) (b ^ 0x36);
                opad[i] = (byte) (b ^ 0x5c);
            }
            inner = MessageDigest.getInstance("SHA-256");
            inner.update(ipad);
            outer = MessageDigest.getInstance("SHA-256");
            outer.update(opad);
        }

        byte[] mac(byte[] data) throws GeneralSecurityException {
            try {
                MessageDigest in = (MessageDigest) inner.clone();
                in.update(data);
                MessageDigest out = (MessageDigest) outer.clone();
                out.update(in.digest());
                return out.digest();
            } catch (CloneNotSupportedException e) {
                throw new GeneralSecurityException("SHA-256 of this runtime cannot be cloned", e);
            }
        }
    }

    /** One frontend message: a type byte (none for start-up and SSLRequest), its length, its body. */
    private static final class Message {
        private final int type;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Message(int type) {
            this.type = type;
        }

        Message int32(int v) {
            body.write(v >>> 24);
            body.write(v >>> 16);
            body.write(v >>> 8);
            body.write(v);
            return this;
        }

        Message cstring(String s) {
            raw(s.getBytes(StandardCharsets.UTF_8));
            body.write(0);
            return this;
        }

        Message raw(byte[] b) {
            body.write(b, 0, b.length);
            return this;
        }

        byte[] bytes() {
            byte[] b = body.toByteArray();
            ByteArrayOutputStream all = new ByteArrayOutputStream(b.length + 5);
            if (type != 0) {
                all.write(type);
            }
            int length = b.length + 4;
            all.write(length >>> 24);
            all.write(length >>> 16);
            all.write(length >>> 8);
            all.write(length);
            all.write(b, 0, b.length);
            return all.toByteArray();
        }
    }
}
