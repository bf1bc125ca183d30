package dev.berth.repo;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;

import java.util.Optional;

/** Validates branch names from job requests with git's own ref-name rules. */
public final class BranchNames
{
    private BranchNames() {}

    /** Why {@code branch} is not a usable branch name, or empty when it is. */
    public static Optional<String> problem(String branch)
    {
        if (branch == null || branch.isBlank()) {
            return Optional.of("branch is empty; give a branch name such as 'main'");
        }
        if (branch.startsWith("refs/")) {
            return Optional.of("branch '" + branch + "' must be a short branch name without 'refs/' (e.g. 'main', 'feature/x')");
        }
        // git refuses these as branch names too, though they are valid ref names
        if (branch.startsWith("-") || branch.equals(Constants.HEAD)) {
            return Optional.of("branch '" + branch + "' is not a valid git branch name");
        }
        if (!Repository.isValidRefName(Constants.R_HEADS + branch)) {
            return Optional.of("branch '" + branch + "' is not a valid git branch name (no spaces, '..', '~', '^', ':', '?', '*', '[', '\\\\', "
                    + "control characters, '@{', leading or trailing '/' or '.', or a '.lock' suffix)");
        }
        return Optional.empty();
    }
}
