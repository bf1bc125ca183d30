package dev.berth.cli;

import dev.berth.job.SecretNames;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.SwarmClient;
import dev.berth.text.Abbreviation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/** {@code berth secret create}: a Swarm secret made from standard input or a file; its value is sent to the engine and nowhere else. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Creates a secret for jobs to name, from standard input or from --file, its bytes as given.",
                "The value goes to the Docker engine only: berth never stores, logs or prints it.",
                "Swarm secrets cannot change: to replace one, remove it and create it again."})
final class SecretCreateCommand
        implements Callable<Integer>
{
    /** Swarm's own limit on a secret's size. */
    private static final int MAX_VALUE_BYTES = 500 * 1024;

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "The secret's name, and its file in the job's container: /run/secrets/NAME.")
    String name;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the value from FILE instead of standard input.")
    Path file;

    @Spec
    CommandSpec spec;

    private final InputStream standardInput;

    SecretCreateCommand(InputStream standardInput)
    {
        this.standardInput = requireNonNull(standardInput, "standardInput is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        if (!SecretNames.valid(name)) {
            throw new BerthCli.UserException("secret name '" + Abbreviation.abbreviate(name, 81) + "' is not valid: expected " + SecretNames.EXPECTED);
        }
        byte[] value = value();
        if (value.length == 0) {
            throw new BerthCli.UserException("the value of secret " + name + " is empty: give it on standard input or with --file");
        }
        if (value.length > MAX_VALUE_BYTES) {
            throw new BerthCli.UserException("the value of secret " + name + " is " + value.length + " bytes; Swarm's limit is " + MAX_VALUE_BYTES);
        }
        try (SwarmClient swarm = new SwarmClient(common.config().dockerHost())) {
            try {
                swarm.createSecret(name, value);
            }
            catch (EngineException e) {
                if (e.status() != 409) {
                    throw e;
                }
                throw new BerthCli.UserException(swarm.secret(name).isPresent()
                        ? "secret " + name + " already exists, and a Swarm secret cannot change: remove it with 'berth secret rm " + name + "', then create it again"
                        : "a secret named " + name + " already exists in the swarm and is not berth's: choose another name");
            }
        }
        spec.commandLine().getOut().println("secret " + name + " created: jobs that name it (--secret " + name + ") read it from /run/secrets/" + name);
        return 0;
    }

    private byte[] value()
            throws IOException
    {
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new BerthCli.UserException("cannot read the value of secret " + name + ": " + file + " is not a file");
            }
            return Files.readAllBytes(file);
        }
        if (System.console() != null) {
            // A terminal shows what is typed: say how to keep it off the screen
            spec.commandLine().getErr().println("type the value, then Ctrl-D; to keep it off the screen, use --file or a pipe instead");
            spec.commandLine().getErr().flush();
        }
        return standardInput.readAllBytes();
    }
}
