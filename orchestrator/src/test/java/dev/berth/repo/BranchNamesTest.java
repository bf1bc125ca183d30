package dev.berth.repo;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class BranchNamesTest
{
    @ParameterizedTest
    @ValueSource(strings = {"main", "feature/x", "release-1.2", "user/alice/fix_42"})
    void acceptsGitBranchNames(String branch)
    {
        assertThat(BranchNames.problem(branch)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a..b", "x~1", "x^", "a:b", "what?", "star*", "x[1]", "back\\slash", "/lead", "trail/", "x.lock",
            "dot.", ".hidden", "a@{1}", "-f", "HEAD", "refs/heads/main", "tab\there"})
    void refusesInvalidNamesQuotingThem(String branch)
    {
        assertThat(BranchNames.problem(branch)).hasValueSatisfying(problem -> assertThat(problem).contains("'" + branch + "'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " "})
    void refusesEmpty(String branch)
    {
        assertThat(BranchNames.problem(branch)).hasValueSatisfying(problem -> assertThat(problem).contains("branch is empty"));
        assertThat(BranchNames.problem(null)).isPresent();
    }
}
