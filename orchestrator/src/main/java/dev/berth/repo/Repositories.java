package dev.berth.repo;

import dev.berth.config.GitCredentials;
import dev.berth.time.Ticker;
import org.eclipse.jgit.lib.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The checkout step of preparing a job: a branch's tip, or an exact commit, checked out into the job's
 * directory from an add-only mirror of its repository. It asks {@link RemoteBranches} for the tip,
 * {@link Mirrors} for the commit and {@link WorkTrees} for the job's tree, and runs them on its threads.
 * <p>
 * Use one instance per mirrors root in a process: its mirror locks keep its own threads apart. Close it
 * once nothing checks out through it any more.
 */
public final class Repositories
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(Repositories.class);

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static final int CHECKOUT_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    // Bounded: a listing stuck in a socket read on a silent git:// host ignores the interrupt, and
    // waiting longer for it would only hold up berth's stop
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final ExecutorService remoteCalls;
    private final ExecutorService checkoutWriters;
    private final RemoteBranches branches;
    private final Mirrors mirrors;
    private final WorkTrees workTrees;
    private final Clock clock;
    private final Ticker ticker;
    private volatile boolean closed;

    public Repositories(Path mirrorsRoot, GitCredentials credentials)
    {
        this(mirrorsRoot, credentials, DEFAULT_TIMEOUT, Clock.systemUTC());
    }

    public Repositories(Path mirrorsRoot, GitCredentials credentials, Duration timeout, Clock clock)
    {
        this(mirrorsRoot, credentials, timeout, clock, Ticker.system());
    }

    /**
     * @param timeout how long a remote may stay silent before a listing or fetch gives up on it
     * @param clock when a listing began, to tell which jobs it can serve
     * @param ticker how long a fetch or a checkout took, for the log
     */
    public Repositories(Path mirrorsRoot, GitCredentials credentials, Duration timeout, Clock clock, Ticker ticker)
    {
        requireNonNull(mirrorsRoot, "mirrorsRoot is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        RemoteAccess remote = new RemoteAccess(credentials, timeout);
        this.remoteCalls = Executors.newCachedThreadPool(daemonThreads("berth-git-remote"));
        this.checkoutWriters = Executors.newFixedThreadPool(CHECKOUT_THREADS, daemonThreads("berth-checkout"));
        this.branches = new RemoteBranches(remote, remoteCalls, clock);
        this.mirrors = new Mirrors(mirrorsRoot, remote, ticker);
        this.workTrees = new WorkTrees(new TreeWriter(checkoutWriters, CHECKOUT_THREADS));
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
        requireOpen();
        WorkTrees.requireEmptyOrAbsent(requireNonNull(workDir, "workDir is null"));
        requireNonNull(asOf, "asOf is null");
        long start = ticker.read();
        Checkout tip = updateMirror(url, branch, asOf);
        workTrees.checkOut(url, mirrors.pathOf(url), ObjectId.fromString(tip.commit()), workDir);
        log.info("Checked out {} branch {} at {} into {} in {} ms ({})", url, branch, tip.commit(), workDir,
                (ticker.read() - start) / 1_000_000, tip.fetched() ? "fetched" : "no fetch needed");
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
        requireOpen();
        return updateMirror(url, branch, clock.instant());
    }

    /** As {@link #updateMirror(RepoUrl, String)}, with a listing that began at {@code asOf} or later. */
    Checkout updateMirror(RepoUrl url, String branch, Instant asOf)
            throws RepoException
    {
        requireNonNull(url, "url is null");
        BranchNames.problem(branch).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return mirrors.fetchIfMissing(url, branch, branches.tip(url, branch, asOf));
    }

    /**
     * Checks out a commit an earlier checkout resolved, for a retry that must run the same code. The
     * mirror is add-only, so the commit is still there; no remote is asked.
     */
    public Checkout checkoutCommit(RepoUrl url, String commit, Path workDir)
            throws RepoException
    {
        requireOpen();
        requireNonNull(url, "url is null");
        WorkTrees.requireEmptyOrAbsent(requireNonNull(workDir, "workDir is null"));
        ObjectId id = mirrors.requireCommit(url, commit);
        workTrees.checkOut(url, mirrors.pathOf(url), id, workDir);
        return new Checkout(commit, false);
    }

    /**
     * Stops the listing and checkout threads, interrupting any call still running, and waits for them two
     * seconds at most in all: they are daemon threads, so one that does not stop still ends with the process.
     * Later calls fail.
     */
    @Override
    public void close()
    {
        closed = true;
        checkoutWriters.shutdownNow();
        remoteCalls.shutdownNow();
        long deadline = ticker.read() + CLOSE_WAIT.toNanos();
        try {
            awaitStopped(checkoutWriters, "checkout", deadline);
            awaitStopped(remoteCalls, "git remote", deadline);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStopped(ExecutorService threads, String name, long deadline)
            throws InterruptedException
    {
        if (!threads.awaitTermination(Math.max(0, deadline - ticker.read()), TimeUnit.NANOSECONDS)) {
            log.warn("Some {} threads have not stopped within {} s; they end with the process", name, CLOSE_WAIT.toSeconds());
        }
    }

    private void requireOpen()
    {
        if (closed) {
            throw new IllegalStateException("repositories are closed: berth is stopping and checks nothing out any more");
        }
    }

    private static ThreadFactory daemonThreads(String name)
    {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
