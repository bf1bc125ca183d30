package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.time.Ticker;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;

/** The {@code berth} command. */
public final class Main
{
    private Main() {}

    public static void main(String[] args)
    {
        Map<String, String> environment = BerthConfig.environment();
        // First, before picocli or any logger exists: a running daemon may answer this command at once
        Optional<Integer> answered = new ServedCommands(Ticker.system()).ask(args, environment, System.out, System.err);
        if (answered.isPresent()) {
            System.exit(answered.get());
        }
        // Before any logger exists: berth's own lines at info, the embedded queue's libraries quiet.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", isVerbose(args) ? "debug" : "info");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.pekko", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.elasticmq", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.software.amazon.awssdk", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jgit", "warn");
        // The Engine API's HTTP client: its retries of an engine that is not there are berth's to report, and its wire log
        // prints at debug every byte it sends, which would be a secret's value with 'secret create --verbose'
        System.setProperty("org.slf4j.simpleLogger.log.com.github.dockerjava.zerodep.shaded.org.apache.hc", "warn");
        // berth's commands hold no Groovy closures: picocli then skips looking for them, a tenth of a short command's start
        System.setProperty("picocli.disable.closures", "true");
        System.exit(BerthCli.standard(environment).execute(System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    private static boolean isVerbose(String[] args)
    {
        for (String arg : args) {
            if (arg.equals("-v") || arg.equals("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
