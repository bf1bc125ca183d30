package dev.berth.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The bearer token HTTP clients present when berth answers on more than loopback. It lives in a
 * file only its owner can read, made once; its value never reaches a log or a {@code toString}.
 */
public final class AccessToken
{
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String value;
    private final boolean created;

    private AccessToken(String value, boolean created)
    {
        this.value = requireNonNull(value, "value is null");
        this.created = created;
    }

    /** Reads the token file, or makes it (owner-only, 256 random bits) when there is none. */
    public static AccessToken loadOrCreate(Path file)
            throws IOException
    {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return new AccessToken(read(file), false);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String value = HexFormat.of().formatHex(random);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        catch (FileAlreadyExistsException e) {
            // Another process made it first: use theirs
            return new AccessToken(read(file), false);
        }
        Files.writeString(file, value + "\n", StandardCharsets.UTF_8, LinkOption.NOFOLLOW_LINKS);
        return new AccessToken(value, true);
    }

    private static String read(Path file)
            throws IOException
    {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " is not a regular file; remove it and berth serve makes a new token");
        }
        if (!OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS))) {
            throw new IOException(file + " can be read by others than its owner; run chmod 600 " + file + ", or remove it for a new token");
        }
        String value = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (value.length() < 32) {
            throw new IOException(file + " holds no token of at least 32 characters; remove it and berth serve makes a new one");
        }
        return value;
    }

    /** Compared in constant time, so the time an answer takes says nothing of how much of a guess was right. */
    public boolean matches(String presented)
    {
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** For {@code berth serve} to print once, when it made the token; never logged. */
    public String reveal()
    {
        return value;
    }

    /** This start made the token, so the operator has not seen it yet. */
    public boolean created()
    {
        return created;
    }

    @Override
    public String toString()
    {
        return "AccessToken[redacted]";
    }
}
