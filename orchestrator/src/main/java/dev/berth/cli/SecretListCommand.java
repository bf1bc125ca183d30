package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code berth secret ls}: berth's secrets by name, as a table or JSON; Swarm never gives a value back, so none is shown. */
@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "Lists the secrets made with 'berth secret create': names and when made, never values.")
final class SecretListCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
            throws Exception
    {
        List<SwarmSecret> secrets;
        try (SwarmClient swarm = new SwarmClient(common.config().dockerHost())) {
            secrets = swarm.secrets().stream().sorted(Comparator.comparing(SwarmSecret::name)).toList();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode array = JobViews.mapper().createArrayNode();
            secrets.forEach(secret -> array.addObject().put("name", secret.name()).put("created_at", secret.createdAt().toString()));
            out.println(JobViews.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(array));
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "CREATED"));
        secrets.forEach(secret -> rows.add(List.of(secret.name(), JobViews.time(secret.createdAt()))));
        out.print(Table.render(rows));
        if (secrets.isEmpty()) {
            out.println("(no secrets yet: create one with 'berth secret create NAME')");
        }
        return 0;
    }
}
