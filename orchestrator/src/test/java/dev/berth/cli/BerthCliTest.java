package dev.berth.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a shell user meets it: help, typos, one command run on its own. */
class BerthCliTest
{
    @TempDir
    Path temp;

    @Test
    void helpListsEveryCommand()
    {
        Result help = run("--help");

        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("serve", "submit", "status", "list", "logs", "cancel", "workers", "help");
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

    private record Result(int status, String out, String err) {}

    private static Result run(String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = BerthCli.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }
}
