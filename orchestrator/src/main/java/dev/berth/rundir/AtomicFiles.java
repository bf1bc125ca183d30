package dev.berth.rundir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes files that others read while berth runs: to a temp name, synced, then renamed over the real one. */
public final class AtomicFiles
{
    private AtomicFiles() {}

    public static void write(Path target, byte[] content)
            throws IOException
    {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Points {@code link} at {@code target} (a relative path), replacing any earlier link in one step. */
    public static void relink(Path link, Path target)
            throws IOException
    {
        Path temp = link.resolveSibling("." + link.getFileName() + ".link");
        Files.deleteIfExists(temp);
        Files.createSymbolicLink(temp, target);
        Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
