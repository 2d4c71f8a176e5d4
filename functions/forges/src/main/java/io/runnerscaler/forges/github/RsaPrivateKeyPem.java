package io.runnerscaler.forges.github;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Reads the RSA private key of a GitHub App from PEM. GitHub issues PKCS#1 ({@code BEGIN RSA PRIVATE KEY});
 * the JDK reads only PKCS#8, so a PKCS#1 key is wrapped in the fixed PKCS#8 envelope (version 0, algorithm
 * rsaEncryption, the PKCS#1 bytes as an OCTET STRING), which is all PKCS#8 adds for RSA. This spares a
 * multi-megabyte crypto provider on the Lambda cold start path for one conversion. PKCS#8
 * ({@code BEGIN PRIVATE KEY}, after {@code openssl pkcs8 -topk8 -nocrypt}) is read as is.
 */
public final class RsaPrivateKeyPem {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (RSA )?PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END (RSA )?PRIVATE KEY-----");

    /** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL } in DER. */
    private static final byte[] RSA_ALGORITHM = {
            0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private RsaPrivateKeyPem() {
    }

    /** @throws IllegalArgumentException naming the problem, never echoing key material */
    public static PrivateKey parse(String pem) {
        var m = PEM.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException(
                    "GitHub App private key is not a PEM RSA private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GitHub App private key: PEM body is not base64");
        }
        byte[] pkcs8 = m.group(1) != null ? wrapPkcs1(der) : der;
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("GitHub App private key: not a valid RSA key ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING pkcs1 }. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        var body = new ByteArrayOutputStream();
        body.writeBytes(VERSION_0);
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        var out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** DER definite length: short form below 128, else 0x80|n and n big-endian bytes. */
    static byte[] derLength(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        byte[] out = new byte[bytes + 1];
        out[0] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            out[bytes - i] = (byte) (length >>> (8 * i));
        }
        return out;
    }
}
