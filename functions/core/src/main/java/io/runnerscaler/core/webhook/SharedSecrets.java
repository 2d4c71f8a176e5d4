package io.runnerscaler.core.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

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
