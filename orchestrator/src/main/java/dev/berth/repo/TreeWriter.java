package dev.berth.repo;

import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import static java.util.Objects.requireNonNull;

/**
 * Writes a commit's tree into a fresh, empty work dir on several threads, then the index git
 * expects beside it, so the job's own {@code git status} sees a clean tree.
 * <p>
 * JGit's {@code DirCacheCheckout} writes one file at a time through a temporary file and a rename,
 * which protects a work tree someone is using. A fresh dir needs no such care, and inflating blobs
 * on every core brings a large checkout to the git CLI's time.
 */
final class TreeWriter
{
    private static final int SMALL_TREE = 64;

    private final ExecutorService writers;
    private final int parallelism;

    TreeWriter(ExecutorService writers, int parallelism)
    {
        this.writers = requireNonNull(writers, "writers is null");
        this.parallelism = parallelism;
    }

    void write(Repository repository, RevTree tree, Path workDir)
            throws IOException
    {
        List<Entry> entries = listEntries(repository, tree, workDir);
        // A few files are written sooner on this thread than handed to others
        List<DirCacheEntry> written = entries.size() < SMALL_TREE ? writeSlice(repository, entries, 0, 1) : writeOnEveryCore(repository, entries);
        DirCacheBuilder builder = repository.lockDirCache().builder();
        written.forEach(builder::add);
        // Sorts the entries into index order; writes and unlocks the index
        builder.commit();
    }

    private List<DirCacheEntry> writeOnEveryCore(Repository repository, List<Entry> entries)
            throws IOException
    {
        List<Future<List<DirCacheEntry>>> slices = new ArrayList<>();
        for (int slice = 0; slice < parallelism; slice++) {
            int first = slice;
            slices.add(writers.submit(() -> writeSlice(repository, entries, first, parallelism)));
        }
        List<DirCacheEntry> written = new ArrayList<>(entries.size());
        try {
            for (Future<List<DirCacheEntry>> slice : slices) {
                written.addAll(slice.get());
            }
        }
        catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking out", e);
        }
        return written;
    }

    /**
     * Every entry of the tree, with its directories made first: no file is written until the whole
     * directory structure exists, so a symlink in the tree can never redirect another entry's write.
     */
    private static List<Entry> listEntries(Repository repository, RevTree tree, Path workDir)
            throws IOException
    {
        List<Entry> entries = new ArrayList<>();
        Set<Path> directories = new HashSet<>();
        try (TreeWalk walk = new TreeWalk(repository)) {
            walk.addTree(tree);
            walk.setRecursive(true);
            while (walk.next()) {
                // Refuses, as git does, paths that escape the work dir or write into .git
                DirCacheEntry indexed = new DirCacheEntry(walk.getPathString());
                indexed.setFileMode(walk.getFileMode(0));
                indexed.setObjectId(walk.getObjectId(0));
                Path file = workDir.resolve(walk.getPathString());
                Path directory = indexed.getFileMode() == FileMode.GITLINK ? file : file.getParent();
                if (directories.add(directory)) {
                    Files.createDirectories(directory);
                }
                entries.add(new Entry(indexed, file));
            }
        }
        return entries;
    }

    private static List<DirCacheEntry> writeSlice(Repository repository, List<Entry> entries, int first, int step)
            throws IOException
    {
        List<DirCacheEntry> written = new ArrayList<>();
        try (ObjectReader reader = repository.newObjectReader()) {
            for (int i = first; i < entries.size(); i += step) {
                Entry entry = entries.get(i);
                DirCacheEntry indexed = entry.indexed();
                if (indexed.getFileMode() != FileMode.GITLINK) {
                    writeFile(reader, indexed, entry.file());
                    // Size and time as written, so git sees the file unchanged without reading it again
                    BasicFileAttributes attributes = Files.readAttributes(entry.file(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    indexed.setLength(attributes.size());
                    indexed.setLastModified(attributes.lastModifiedTime().toInstant());
                }
                written.add(indexed);
            }
        }
        return written;
    }

    private static void writeFile(ObjectReader reader, DirCacheEntry indexed, Path file)
            throws IOException
    {
        if (indexed.getFileMode() == FileMode.SYMLINK) {
            String target = new String(reader.open(indexed.getObjectId(), Constants.OBJ_BLOB).getBytes(), StandardCharsets.UTF_8);
            Files.createSymbolicLink(file, Path.of(target));
            return;
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            reader.open(indexed.getObjectId(), Constants.OBJ_BLOB).copyTo(out);
        }
        if (indexed.getFileMode() == FileMode.EXECUTABLE_FILE) {
            // As git does: execute for whoever may read (the umask decided who may read)
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            permissions.add(PosixFilePermission.OWNER_EXECUTE);
            if (permissions.contains(PosixFilePermission.GROUP_READ)) {
                permissions.add(PosixFilePermission.GROUP_EXECUTE);
            }
            if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                permissions.add(PosixFilePermission.OTHERS_EXECUTE);
            }
            Files.setPosixFilePermissions(file, permissions);
        }
    }

    private record Entry(DirCacheEntry indexed, Path file) {}
}
