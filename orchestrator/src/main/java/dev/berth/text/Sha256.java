package dev.berth.text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 digest of a text, as lower-case hex: for ids and deduplication keys that must be the same for the same text. */
public final class Sha256
{
    private Sha256() {}

    /** The digest of {@code text}'s UTF-8 bytes, 64 hex digits. */
    public static String hex(String text)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256
            throw new IllegalStateException(e);
        }
    }
}
