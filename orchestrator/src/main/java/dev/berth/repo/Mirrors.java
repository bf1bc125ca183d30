package dev.berth.repo;

import dev.berth.time.Ticker;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.SubmoduleConfig.FetchRecurseSubmodulesMode;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.berth.repo.RepoException.Kind.CORRUPT_MIRROR;
import static dev.berth.repo.RepoException.Kind.REFUSED_CONTENT;
import static dev.berth.repo.RepoException.Kind.UNKNOWN_BRANCH;
import static java.util.Objects.requireNonNull;

/**
 * The add-only bare mirror of each remote under the mirrors dir: made so that a crash during the first
 * fetch leaves nothing half-made behind, and fetched, under its lock, only when it lacks a commit.
 * <p>
 * Mirrors are never pruned or garbage-collected, because job checkouts borrow their objects through git
 * alternates: an object a job relies on must never disappear.
 */
final class Mirrors
{
    private static final Logger log = LoggerFactory.getLogger(Mirrors.class);

    private static final List<RefSpec> MIRROR_REFSPECS = List.of(
            new RefSpec("+refs/heads/*:refs/heads/*"),
            new RefSpec("+refs/tags/*:refs/tags/*"));

    private final Path root;
    private final RemoteAccess remote;
    private final Ticker ticker;
    private final MirrorLocks locks = new MirrorLocks();

    Mirrors(Path root, RemoteAccess remote, Ticker ticker)
    {
        this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
        this.remote = requireNonNull(remote, "remote is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    Path pathOf(RepoUrl url)
    {
        return url.mirrorPath(root);
    }

    /**
     * Makes sure the mirror of {@code url} holds {@code tip}, the tip of {@code branch} a listing saw, fetching
     * only when it does not. Returns the commit to check out and whether it was fetched.
     */
    Checkout fetchIfMissing(RepoUrl url, String branch, ObjectId tip)
            throws RepoException
    {
        Path mirror = pathOf(url);
        // Objects are only ever added to a mirror, so one seen without the lock stays there
        if (has(mirror, tip)) {
            return new Checkout(tip.name(), false);
        }
        try {
            MirrorLocks.Held held = locks.lock(mirror);
            try (Repository repository = open(url, mirror)) {
                if (repository.getObjectDatabase().has(tip)) {
                    return new Checkout(tip.name(), false);
                }
                fetch(repository, url);
                return new Checkout(fetchedCommit(repository, url, branch, tip).name(), true);
            }
            finally {
                held.close();
            }
        }
        catch (IOException e) {
            throw new RepoException(CORRUPT_MIRROR, "mirror of " + url + " at " + mirror + " cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * The id of {@code commit}, which an earlier checkout resolved; fails unless the mirror of {@code url}
     * still holds it, as an add-only mirror should.
     */
    ObjectId requireCommit(RepoUrl url, String commit)
            throws RepoException
    {
        Path mirror = pathOf(url);
        ObjectId id = ObjectId.fromString(commit);
        if (!has(mirror, id)) {
            throw new RepoException(CORRUPT_MIRROR, "mirror of " + url + " at " + mirror + " no longer has commit " + commit, null);
        }
        return id;
    }

    /** Whether the mirror holds the commit, looked up without the lock; one that cannot be read does not. */
    private static boolean has(Path mirror, ObjectId commit)
    {
        if (!Files.isRegularFile(mirror.resolve(Constants.CONFIG))) {
            return false;
        }
        try (Repository repository = new FileRepositoryBuilder().setGitDir(mirror.toFile()).setBare().setMustExist(true).build()) {
            return repository.getObjectDatabase().has(commit);
        }
        catch (IOException e) {
            // Decided again under the lock, where a broken mirror is reported
            return false;
        }
    }

    private static Repository open(RepoUrl url, Path mirror)
            throws IOException
    {
        Repository repository = new FileRepositoryBuilder().setGitDir(mirror.toFile()).setBare().build();
        try {
            // Repository.create writes the config last, so a mirror left half-made by a crash is made again
            if (!Files.isRegularFile(mirror.resolve(Constants.CONFIG))) {
                log.info("Creating mirror of {} at {}", url, mirror);
                repository.create(true);
            }
            StoredConfig config = repository.getConfig();
            // Checkouts borrow objects from the mirror: git gc run by hand must not prune any of them
            config.setInt(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTO, 0);
            config.setString(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_PRUNEEXPIRE, "never");
            config.setString(ConfigConstants.CONFIG_GC_SECTION, null, "reflogExpireUnreachable", "never");
            config.save();
            return repository;
        }
        catch (IOException | RuntimeException e) {
            repository.close();
            throw e;
        }
    }

    private void fetch(Repository repository, RepoUrl url)
            throws RepoException
    {
        long start = ticker.read();
        try (Git git = Git.wrap(repository)) {
            remote.configure(git.fetch())
                    .setRemote(url.uri())
                    .setRefSpecs(MIRROR_REFSPECS)
                    .setTagOpt(TagOpt.NO_TAGS)
                    // Add-only: a branch deleted or rewritten upstream keeps its commits here
                    .setRemoveDeletedRefs(false)
                    .setCheckFetchedObjects(true)
                    .setRecurseSubmodules(FetchRecurseSubmodulesMode.NO)
                    .call();
        }
        catch (GitAPIException | RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof CorruptObjectException refused) {
                    // Checked on receipt, so a hostile tree never reaches the mirror or a checkout
                    throw new RepoException(REFUSED_CONTENT, "repository " + url + " offers objects git refuses to fetch: " + refused.getMessage(), e);
                }
            }
            throw remote.unreachable(url, e);
        }
        log.info("Fetched {} into its mirror in {} ms", url, (ticker.read() - start) / 1_000_000);
    }

    private static ObjectId fetchedCommit(Repository repository, RepoUrl url, String branch, ObjectId advertised)
            throws IOException, RepoException
    {
        if (repository.getObjectDatabase().has(advertised)) {
            return advertised;
        }
        // The branch was force-pushed between ls-remote and fetch: take the tip the fetch brought
        Ref ref = repository.exactRef(Constants.R_HEADS + branch);
        if (ref == null || !repository.getObjectDatabase().has(ref.getObjectId())) {
            throw new RepoException(UNKNOWN_BRANCH, "branch '" + branch + "' of " + url + " changed or was deleted while it was being fetched; submit again", null);
        }
        return ref.getObjectId();
    }
}
