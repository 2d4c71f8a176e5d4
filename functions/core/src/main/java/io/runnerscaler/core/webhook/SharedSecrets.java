package io.runnerscaler.core.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secrets a forge may sign or token its deliveries with. Two may be valid at once so operators can
 * rotate: the stored value holds one secret per line.
 */
public final class SharedSecrets {

    private final List<byte[]> secrets;

    private SharedSecrets(List<byte[]> secrets) {
        this.secrets = secrets;
    }

    /** Parses the stored value: one secret per line, blank lines ignored. */
    public static SharedSecrets parse(String stored) {
        return new SharedSecrets(Arrays.stream(stored.split("\\R")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList());
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    public List<byte[]> values() {
        return secrets;
    }

    /**
     * Whether the presented token equals one of the secrets, in time independent of where they differ:
     * both sides are hashed first so neither length nor content leaks through timing.
     */
    public boolean matchesToken(String presented) {
        byte[] given = sha256(presented.getBytes(StandardCharsets.UTF_8));
        boolean match = false;
        for (byte[] secret : secrets) {
            match |= MessageDigest.isEqual(given, sha256(secret));
        }
        return match;
    }

    /**
     * Whether {@code header} ({@code X-Hub-Signature-256: sha256=<64 hex digits>}) is the HMAC-SHA256 of
     * the raw body under one of the secrets. Every secret is tried and compared with
     * {@link MessageDigest#isEqual}, so the time taken does not depend on which one matched or where the
     * digests differ.
     */
    public boolean matchesSignature(byte[] body, String header) {
        if (header == null || !header.startsWith(SIGNATURE_PREFIX)
                || header.length() != SIGNATURE_PREFIX.length() + 64) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header, SIGNATURE_PREFIX.length(), header.length());
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        boolean match = false;
        for (byte[] secret : secrets) {
            match |= MessageDigest.isEqual(given, hmacSha256(secret, body));
        }
        return match;
    }

    /** The {@code X-Hub-Signature-256} value GitHub sends for this body and secret. */
    public static String signature(byte[] secret, byte[] body) {
        return SIGNATURE_PREFIX + HexFormat.of().formatHex(hmacSha256(secret, body));
    }

    private static final String SIGNATURE_PREFIX = "sha256=";

    private static byte[] hmacSha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "SharedSecrets[" + secrets.size() + " secret(s), values hidden]";
    }
}
