package dev.berth.rundir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Writes files that others read while berth runs: to a new temp file beside the real one, synced,
 * then renamed over it. The temp name is unpredictable and created with {@code O_EXCL | O_NOFOLLOW},
 * and the rename replaces whatever entry has the real name without following it: a link planted at
 * either name is never written through, so berth (root on the manager) never writes outside the dir.
 */
public final class AtomicFiles
{
    private AtomicFiles() {}

    public static void write(Path target, byte[] content)
            throws IOException
    {
        Path temp = tempSibling(target, ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
                channel.write(ByteBuffer.wrap(content));
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Points {@code link} at {@code target} (a relative path), replacing any earlier link in one step. */
    public static void relink(Path link, Path target)
            throws IOException
    {
        Path temp = tempSibling(link, ".link");
        try {
            Files.createSymbolicLink(temp, target);
            Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Path tempSibling(Path target, String suffix)
    {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + suffix);
    }
}
