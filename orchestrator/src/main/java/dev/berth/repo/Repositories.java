package dev.berth.repo;

import dev.berth.config.GitCredentials;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.SubmoduleConfig.FetchRecurseSubmodulesMode;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static dev.berth.repo.RepoException.Kind.CORRUPT_MIRROR;
import static dev.berth.repo.RepoException.Kind.INTERRUPTED;
import static dev.berth.repo.RepoException.Kind.REFUSED_CONTENT;
import static dev.berth.repo.RepoException.Kind.UNKNOWN_BRANCH;
import static dev.berth.repo.RepoException.Kind.UNREACHABLE;
import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.joining;

/**
 * Keeps one add-only bare mirror per repository and checks out commits from it into job directories.
 * <p>
 * Mirrors are never pruned or garbage-collected, because job checkouts borrow their objects through git
 * alternates: an object a job relies on must never disappear. Use one instance per mirrors root in a process.
 */
public final class Repositories
{
    private static final Logger log = LoggerFactory.getLogger(Repositories.class);

    // JGit applies this to each network read or write, not to the whole transfer
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static final int BRANCHES_SHOWN = 5;
    private static final int CHECKOUT_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final List<RefSpec> MIRROR_REFSPECS = List.of(
            new RefSpec("+refs/heads/*:refs/heads/*"),
            new RefSpec("+refs/tags/*:refs/tags/*"));

    private final Path mirrorsRoot;
    private final GitCredentials credentials;
    private final CredentialsConfig transportConfig;
    private final MirrorLocks locks = new MirrorLocks();
    private final int timeoutSeconds;
    private final ExecutorService checkoutWriters = Executors.newFixedThreadPool(CHECKOUT_THREADS, runnable -> {
        Thread thread = new Thread(runnable, "berth-checkout");
        thread.setDaemon(true);
        return thread;
    });
    private final TreeWriter treeWriter = new TreeWriter(checkoutWriters, CHECKOUT_THREADS);
    private final ExecutorService remoteCalls = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "berth-git-remote");
        thread.setDaemon(true);
        return thread;
    });
    private final Clock clock;
    /** Each remote's latest listing of its branches: jobs that arrived before it began can all use it. */
    private final Map<RepoUrl, Listing> latestListings = new ConcurrentHashMap<>();

    /** The branches one listing of a remote saw, and when it began. */
    private record Listing(Instant began, Map<String, Ref> heads) {}

    public Repositories(Path mirrorsRoot, GitCredentials credentials)
    {
        this(mirrorsRoot, credentials, DEFAULT_TIMEOUT);
    }

    /** @param timeout how long a remote may stay silent before a listing or fetch gives up on it */
    public Repositories(Path mirrorsRoot, GitCredentials credentials, Duration timeout)
    {
        this(mirrorsRoot, credentials, timeout, Clock.systemUTC());
    }

    public Repositories(Path mirrorsRoot, GitCredentials credentials, Duration timeout, Clock clock)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.timeoutSeconds = (int) Math.max(1, requireNonNull(timeout, "timeout is null").toSeconds());
        this.mirrorsRoot = requireNonNull(mirrorsRoot, "mirrorsRoot is null").toAbsolutePath().normalize();
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.transportConfig = new CredentialsConfig(credentials);
    }

    /**
     * Mirrors {@code url} (fetching only if the branch's tip is not in the mirror yet) and checks out the
     * branch's tip into {@code workDir}, which must not exist or be empty. HEAD is left detached at the commit.
     *
     * @throws IllegalArgumentException if the branch name is invalid or {@code workDir} is not empty
     */
    public Checkout checkout(RepoUrl url, String branch, Path workDir)
            throws RepoException
    {
        return checkout(url, branch, clock.instant(), workDir);
    }

    /**
     * As {@link #checkout(RepoUrl, String, Path)}, with the branch's tip as the remote had it at {@code
     * asOf} or later: a listing of the remote's branches that began since then is used again rather than
     * asking the remote once more. A burst of a thousand jobs of one repository then costs the remote one
     * listing (and GitHub's rate limits nothing), and each job still runs code at least as new as its request.
     */
    public Checkout checkout(RepoUrl url, String branch, Instant asOf, Path workDir)
            throws RepoException
    {
        requireEmptyOrAbsent(requireNonNull(workDir, "workDir is null"));
        requireNonNull(asOf, "asOf is null");
        long start = System.nanoTime();
        Checkout tip = updateMirror(url, branch, asOf);
        checkoutInto(url, url.mirrorPath(mirrorsRoot), ObjectId.fromString(tip.commit()), workDir);
        log.info("Checked out {} branch {} at {} into {} in {} ms ({})", url, branch, tip.commit(), workDir,
                (System.nanoTime() - start) / 1_000_000, tip.fetched() ? "fetched" : "no fetch needed");
        return tip;
    }

    /**
     * Makes sure the mirror of {@code url} holds the tip of {@code branch}: one listing of the remote's
     * branches, and a fetch only when the tip is new. Returns the tip and whether it was fetched.
     *
     * @throws IllegalArgumentException if the branch name is invalid
     */
    public Checkout updateMirror(RepoUrl url, String branch)
            throws RepoException
    {
        return updateMirror(url, branch, clock.instant());
    }

    private Checkout updateMirror(RepoUrl url, String branch, Instant asOf)
            throws RepoException
    {
        requireNonNull(url, "url is null");
        BranchNames.problem(branch).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        Path mirror = url.mirrorPath(mirrorsRoot);
        ObjectId commit = remoteTip(url, branch, asOf);
        // Objects are only ever added to a mirror, so one seen without the lock stays there
        if (mirrorHas(mirror, commit)) {
            return new Checkout(commit.name(), false);
        }
        try {
            MirrorLocks.Held held = locks.lock(mirror);
            try (Repository repository = openMirror(url, mirror)) {
                if (repository.getObjectDatabase().has(commit)) {
                    return new Checkout(commit.name(), false);
                }
                fetch(repository, url);
                return new Checkout(fetchedCommit(repository, url, branch, commit).name(), true);
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
     * Checks out a commit an earlier checkout resolved, for a retry that must run the same code. The
     * mirror is add-only, so the commit is still there; no remote is asked.
     */
    public Checkout checkoutCommit(RepoUrl url, String commit, Path workDir)
            throws RepoException
    {
        requireNonNull(url, "url is null");
        requireEmptyOrAbsent(requireNonNull(workDir, "workDir is null"));
        Path mirror = url.mirrorPath(mirrorsRoot);
        ObjectId id = ObjectId.fromString(commit);
        if (!mirrorHas(mirror, id)) {
            throw new RepoException(CORRUPT_MIRROR, "mirror of " + url + " at " + mirror + " no longer has commit " + commit, null);
        }
        checkoutInto(url, mirror, id, workDir);
        return new Checkout(commit, false);
    }

    private ObjectId remoteTip(RepoUrl url, String branch, Instant asOf)
            throws RepoException
    {
        Listing latest = latestListings.get(url);
        Map<String, Ref> heads = latest != null && !latest.began().isBefore(asOf) ? latest.heads() : listBranches(url);
        Ref ref = heads.get(Constants.R_HEADS + branch);
        if (ref == null || ref.getObjectId() == null) {
            throw new RepoException(UNKNOWN_BRANCH, "branch '" + branch + "' does not exist in " + url + "; " + describeBranches(heads), null);
        }
        return ref.getObjectId();
    }

    private Map<String, Ref> listBranches(RepoUrl url)
            throws RepoException
    {
        Instant began = clock.instant();
        Map<String, Ref> heads;
        // JGit's own timeout interrupts the reading thread, which a blocking socket read ignores since
        // JDK 13: over git:// a host that accepts and then stays silent would hold this thread forever.
        Future<Map<String, Ref>> listing = remoteCalls.submit(() -> Git.lsRemoteRepository()
                .setRemote(url.uri())
                .setHeads(true)
                .setTimeout(timeoutSeconds)
                .setTransportConfigCallback(transportConfig)
                .callAsMap());
        try {
            heads = listing.get(timeoutSeconds, TimeUnit.SECONDS);
        }
        catch (TimeoutException e) {
            listing.cancel(true);
            throw new RepoException(UNREACHABLE, "could not reach repository " + url + ": no answer within " + timeoutSeconds + " s", e);
        }
        catch (ExecutionException e) {
            throw unreachable(url, e.getCause() instanceof Exception cause ? cause : e);
        }
        catch (InterruptedException e) {
            listing.cancel(true);
            Thread.currentThread().interrupt();
            throw new RepoException(INTERRUPTED, "stopped while listing the branches of " + url, e);
        }
        Listing seen = new Listing(began, Map.copyOf(heads));
        latestListings.merge(url, seen, (kept, offered) -> offered.began().isAfter(kept.began()) ? offered : kept);
        return seen.heads();
    }

    private static String describeBranches(Map<String, Ref> heads)
    {
        if (heads.isEmpty()) {
            return "the repository has no branches";
        }
        String shown = heads.keySet().stream()
                .map(name -> name.substring(Constants.R_HEADS.length()))
                .sorted()
                .limit(BRANCHES_SHOWN)
                .collect(joining(", "));
        return "its branches include: " + shown + (heads.size() > BRANCHES_SHOWN ? " (" + heads.size() + " in all)" : "");
    }

    private static boolean mirrorHas(Path mirror, ObjectId commit)
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

    private static Repository openMirror(RepoUrl url, Path mirror)
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
        long start = System.nanoTime();
        try (Git git = Git.wrap(repository)) {
            git.fetch()
                    .setRemote(url.uri())
                    .setRefSpecs(MIRROR_REFSPECS)
                    .setTagOpt(TagOpt.NO_TAGS)
                    // Add-only: a branch deleted or rewritten upstream keeps its commits here
                    .setRemoveDeletedRefs(false)
                    .setCheckFetchedObjects(true)
                    .setRecurseSubmodules(FetchRecurseSubmodulesMode.NO)
                    .setTimeout(timeoutSeconds)
                    .setTransportConfigCallback(transportConfig)
                    .call();
        }
        catch (GitAPIException | RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof CorruptObjectException refused) {
                    // Checked on receipt, so a hostile tree never reaches the mirror or a checkout
                    throw new RepoException(REFUSED_CONTENT, "repository " + url + " offers objects git refuses to fetch: " + refused.getMessage(), e);
                }
            }
            throw unreachable(url, e);
        }
        log.info("Fetched {} into its mirror in {} ms", url, (System.nanoTime() - start) / 1_000_000);
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

    private void checkoutInto(RepoUrl url, Path mirror, ObjectId commit, Path workDir)
            throws RepoException
    {
        Path gitDir = workDir.resolve(Constants.DOT_GIT);
        try {
            writeGitDir(gitDir, mirror, commit);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create checkout directory " + workDir + ": " + e.getMessage(), e);
        }
        try (Repository repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setWorkTree(workDir.toFile()).setMustExist(true).build();
                RevWalk walk = new RevWalk(repository)) {
            treeWriter.write(repository, walk.parseCommit(commit).getTree(), workDir);
        }
        catch (MissingObjectException e) {
            throw new RepoException(CORRUPT_MIRROR, "mirror of " + url + " at " + mirror + " lacks object " + e.getObjectId().name()
                    + " of commit " + commit.name(), e);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot check out " + commit.name() + " of " + url + " into " + workDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The job's own repository as git lays one out (gitrepository-layout): HEAD detached at the commit,
     * objects borrowed from the mirror instead of copied. Its few small files are written directly:
     * {@code git init} through JGit probes the file system, saves its config under a lock and logs the
     * HEAD update, milliseconds of every job's preparation for the same few bytes.
     */
    private static void writeGitDir(Path gitDir, Path mirror, ObjectId commit)
            throws IOException
    {
        // The absolute path also holds inside the job's container, which mounts the mirrors at the same path
        Path info = Files.createDirectories(gitDir.resolve("objects").resolve("info"));
        Files.writeString(info.resolve("alternates"), mirror.resolve("objects").toAbsolutePath() + "\n");
        Files.createDirectories(gitDir.resolve("refs").resolve("heads"));
        Files.createDirectories(gitDir.resolve("refs").resolve("tags"));
        Files.writeString(gitDir.resolve("config"), "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n");
        Files.writeString(gitDir.resolve(Constants.HEAD), commit.name() + "\n");
    }

    private static void requireEmptyOrAbsent(Path workDir)
    {
        if (!Files.exists(workDir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(workDir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("checkout directory " + workDir + " is not empty");
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read checkout directory " + workDir, e);
        }
    }

    private RepoException unreachable(RepoUrl url, Exception e)
    {
        String reason = reason(e);
        // JGit starts most messages with the URL, which this message already names
        if (reason.startsWith(url.uri() + ": ")) {
            reason = reason.substring(url.uri().length() + 2);
        }
        return new RepoException(UNREACHABLE, "could not reach repository " + url + ": " + withoutSecrets(reason), e);
    }

    private static String reason(Throwable e)
    {
        // JGit wraps the useful message (e.g. "Connection refused", "not authorized") a level or two down
        Throwable deepest = e;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String top = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
        String root = Optional.ofNullable(deepest.getMessage()).orElse(deepest.getClass().getSimpleName());
        return deepest == e || top.contains(root) ? top : top + " (" + root + ")";
    }

    private String withoutSecrets(String message)
    {
        // Defence in depth: the token is never put into a URL, but a transport must not be able to leak it either
        return credentials.token().filter(token -> !token.isEmpty()).map(token -> message.replace(token, "****")).orElse(message);
    }
}
