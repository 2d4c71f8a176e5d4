package io.runnerscaler.testkit.forge;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/** A throwaway RSA key pair for tests, with the PEM forms GitHub and openssl produce. */
public final class TestAppKey {

    /** JDK PKCS#8 encoding of a 2048-bit RSA key: 26 header bytes, then the PKCS#1 RSAPrivateKey. */
    private static final int PKCS8_HEADER = 26;

    public static final KeyPair PAIR = generate();

    private TestAppKey() {
    }

    public static byte[] pkcs8() {
        return PAIR.getPrivate().getEncoded();
    }

    public static byte[] pkcs1() {
        return Arrays.copyOfRange(pkcs8(), PKCS8_HEADER, pkcs8().length);
    }

    /** As GitHub hands it out. */
    public static String pkcs1Pem() {
        return pem("RSA PRIVATE KEY", pkcs1());
    }

    /** As {@code openssl pkcs8 -topk8 -nocrypt} writes it. */
    public static String pkcs8Pem() {
        return pem("PRIVATE KEY", pkcs8());
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static KeyPair generate() {
        try {
            var generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
