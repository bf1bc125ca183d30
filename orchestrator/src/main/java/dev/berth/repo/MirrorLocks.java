package dev.berth.repo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

/**
 * One lock per mirror: a lock in this process, plus a file lock next to the mirror so that another berth
 * process sharing the mount waits too. Mirrors of different repositories never wait for each other.
 */
final class MirrorLocks
{
    private static final Logger log = LoggerFactory.getLogger(MirrorLocks.class);

    private final ConcurrentMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();

    Held lock(Path mirror)
            throws IOException
    {
        // The file lock is per process, so threads of this process must be kept apart first
        ReentrantLock lock = locks.computeIfAbsent(mirror, ignored -> new ReentrantLock());
        lock.lock();
        try {
            Files.createDirectories(mirror.getParent());
            FileChannel channel = FileChannel.open(mirror.resolveSibling(mirror.getFileName() + ".berth-lock"), CREATE, WRITE);
            try {
                channel.lock();
            }
            catch (IOException e) {
                // A shared file system mounted without lock support (Lustre without -o flock) refuses file locks.
                // Fetching is still safe, git writes packs and refs atomically; only the duplicate work is not avoided.
                log.warn("Cannot take a file lock next to mirror {}, relying on the in-process lock only: {}", mirror, e.toString());
            }
            return new Held(lock, channel);
        }
        catch (IOException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    /** Releases both locks on close. */
    static final class Held
            implements AutoCloseable
    {
        private final ReentrantLock lock;
        private final FileChannel channel;

        private Held(ReentrantLock lock, FileChannel channel)
        {
            this.lock = requireNonNull(lock, "lock is null");
            this.channel = requireNonNull(channel, "channel is null");
        }

        @Override
        public void close()
                throws IOException
        {
            try {
                channel.close();
            }
            finally {
                lock.unlock();
            }
        }
    }
}
