package dev.berth.cli;

import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a shell user meets it: help, typos, one command run on its own, and how problems are told. */
class BerthCliTest
{
    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));
    private final BerthCli cli = new BerthCli(Map.of(), clock, clock.sleeper());

    @Test
    void helpListsEveryCommand()
    {
        Result help = run("--help");

        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("serve", "submit", "status", "list", "logs", "cancel", "workers", "selftest", "help");
    }

    @Test
    void helpOfOneCommandShowsItsOptions()
    {
        assertThat(run("help", "list").out()).contains("--state", "--limit", "--json");
        assertThat(run("list", "--help").out()).contains("--state", "--limit", "--json");
    }

    @Test
    void aMistypedCommandIsRefusedWithTheNearestOne()
    {
        Result typo = run("lst");

        assertThat(typo.status()).isEqualTo(2);
        assertThat(typo.err()).contains("lst").contains("list");
    }

    @Test
    void aCommandRunsOnItsOwn()
    {
        Result list = run("list", "--state-dir", temp.toString());

        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.out()).contains("(no jobs yet: send one with 'berth submit')");
    }

    @Test
    void commandsAreConfiguredByTheEnvironmentTheCliIsGiven()
    {
        Result list = run(new BerthCli(Map.of("BERTH_STATE_DIR", temp.toString()), clock, clock.sleeper()), "list", "--json");

        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.out()).isEqualTo("[ ]\n");
    }

    @Test
    void theSelfTestRefusesANegativeGpuCountBeforeSendingAnything()
    {
        Result selftest = run("selftest", "--state-dir", temp.toString(), "--gpus", "-1");

        assertThat(selftest.status()).isEqualTo(1);
        assertThat(selftest.err()).isEqualTo("berth selftest: --gpus must be 0 or more, got -1\n");
        assertThat(temp.resolve("shared")).as("not even its repository made").doesNotExist();
    }

    @Test
    void aProblemTheUserCanFixIsOneLineAndExitStatusOne()
    {
        Result status = run("status", "--state-dir", temp.toString(), "nope");

        assertThat(status.status()).isEqualTo(1);
        assertThat(status.out()).isEmpty();
        assertThat(status.err()).isEqualTo("berth status: no job 'nope' (see 'berth list'; a job sent a moment ago appears once the daemon has taken it off the queue)\n");
    }

    @Test
    void anUnexpectedFailureOfAnInjectedCommandIsOneLineWithAHint()
    {
        Result failed = run(cli.withCommand("fail", FailingCommand::new), "fail");

        assertThat(failed.status()).isEqualTo(1);
        assertThat(failed.err()).isEqualTo("berth fail: the disk is full\n(run again with --verbose for details)\n");
    }

    @Test
    void verboseShowsTheStackTraceInstead()
    {
        Result failed = run(cli.withCommand("fail", FailingCommand::new), "fail", "--verbose");

        assertThat(failed.status()).isEqualTo(1);
        assertThat(failed.err()).startsWith("berth fail: the disk is full\njava.lang.IllegalStateException: the disk is full\n")
                .contains("at dev.berth.cli.BerthCliTest$FailingCommand.call")
                .doesNotContain("run again with --verbose");
    }

    @Test
    void anInjectedCommandTakesThePlaceOfBerthsOwn()
    {
        Result list = run(cli.withCommand("list", FailingCommand::new), "list");

        assertThat(list.err()).startsWith("berth fail: the disk is full");
    }

    /** A command that fails as a bug or a broken machine would, with the options every command takes. */
    @Command(name = "fail")
    static final class FailingCommand
            implements Callable<Integer>
    {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call()
        {
            throw new IllegalStateException("the disk is full");
        }
    }

    private record Result(int status, String out, String err) {}

    private Result run(String... args)
    {
        return run(cli, args);
    }

    private static Result run(BerthCli cli, String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = cli.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }
}
