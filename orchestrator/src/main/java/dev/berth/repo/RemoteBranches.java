package dev.berth.repo;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.berth.repo.RepoException.Kind.INTERRUPTED;
import static dev.berth.repo.RepoException.Kind.UNKNOWN_BRANCH;
import static dev.berth.repo.RepoException.Kind.UNREACHABLE;
import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.joining;

/**
 * Learns a branch's tip by listing the remote's branches (ls-remote). One listing serves every job that
 * arrived before it began, so a burst of jobs of one repository asks the remote once.
 */
final class RemoteBranches
{
    private static final int BRANCHES_SHOWN = 5;

    private final RemoteAccess remote;
    private final ExecutorService calls;
    private final Clock clock;
    /** Each remote's latest listing of its branches: jobs that arrived before it began can all use it. */
    private final Map<RepoUrl, Listing> latestListings = new ConcurrentHashMap<>();

    /** The branches one listing of a remote saw, and when it began. */
    private record Listing(Instant began, Map<String, Ref> heads) {}

    /** @param calls runs each listing, so that a remote gone silent holds one of its threads rather than the caller */
    RemoteBranches(RemoteAccess remote, ExecutorService calls, Clock clock)
    {
        this.remote = requireNonNull(remote, "remote is null");
        this.calls = requireNonNull(calls, "calls is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The tip of {@code branch} as {@code url} had it at {@code asOf} or later. */
    ObjectId tip(RepoUrl url, String branch, Instant asOf)
            throws RepoException
    {
        Listing latest = latestListings.get(url);
        Map<String, Ref> heads = latest != null && !latest.began().isBefore(asOf) ? latest.heads() : list(url);
        Ref ref = heads.get(Constants.R_HEADS + branch);
        if (ref == null || ref.getObjectId() == null) {
            throw new RepoException(UNKNOWN_BRANCH, "branch '" + branch + "' does not exist in " + url + "; " + describeBranches(heads), null);
        }
        return ref.getObjectId();
    }

    private Map<String, Ref> list(RepoUrl url)
            throws RepoException
    {
        Instant began = clock.instant();
        Map<String, Ref> heads;
        // JGit's own timeout interrupts the reading thread, which a blocking socket read ignores since
        // JDK 13: over git:// a host that accepts and then stays silent would hold this thread forever.
        Future<Map<String, Ref>> listing = calls.submit(() -> remote.configure(Git.lsRemoteRepository())
                .setRemote(url.uri())
                .setHeads(true)
                .callAsMap());
        try {
            heads = listing.get(remote.timeoutSeconds(), TimeUnit.SECONDS);
        }
        catch (TimeoutException e) {
            listing.cancel(true);
            throw new RepoException(UNREACHABLE, "could not reach repository " + url + ": no answer within " + remote.timeoutSeconds() + " s", e);
        }
        catch (ExecutionException e) {
            throw remote.unreachable(url, e.getCause() instanceof Exception cause ? cause : e);
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
}
