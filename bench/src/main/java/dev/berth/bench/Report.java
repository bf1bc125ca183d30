package dev.berth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the results as a Markdown table for readers and as JSON for tools, each as latest and as that day's copy. */
final class Report
{
    private final ZonedDateTime when;
    private final Map<String, String> machine;
    private final boolean quick;
    private final boolean complete;
    private final List<Row> rows;

    /** @param complete whether every scenario ran: only a complete full-size run becomes the latest results */
    Report(ZonedDateTime when, Map<String, String> machine, boolean quick, boolean complete, List<Row> rows)
    {
        this.when = when;
        this.machine = new LinkedHashMap<>(machine);
        this.quick = quick;
        this.complete = complete;
        this.rows = List.copyOf(rows);
    }

    void write(Path directory)
            throws IOException
    {
        Files.createDirectories(directory);
        String day = when.toLocalDate().format(DateTimeFormatter.ISO_LOCAL_DATE);
        String name = quick ? "quick" : complete ? "latest" : "partial";
        String markdown = markdown();
        String json = json();
        Files.writeString(directory.resolve(name + ".md"), markdown);
        Files.writeString(directory.resolve(name + ".json"), json);
        if (name.equals("latest")) {
            Files.writeString(directory.resolve(day + ".md"), markdown);
            Files.writeString(directory.resolve(day + ".json"), json);
        }
    }

    String markdown()
    {
        StringBuilder text = new StringBuilder();
        text.append("# berth benchmarks").append(quick ? " (quick run: small counts, not for comparison)" : "")
                .append(complete ? "" : " (some scenarios only)").append("\n\n");
        text.append("Run on ").append(when.format(DateTimeFormatter.RFC_1123_DATE_TIME)).append(" with `bench/run");
        text.append(quick ? " --quick" : "").append("`. See bench/README.md for what each figure measures and how.\n\n");
        text.append("| machine | |\n|---|---|\n");
        machine.forEach((key, value) -> text.append("| ").append(key).append(" | ").append(value).append(" |\n"));
        String scenario = "";
        for (Row row : rows) {
            if (!row.scenario().equals(scenario)) {
                scenario = row.scenario();
                text.append("\n## ").append(scenario).append("\n\n");
                text.append("| figure | unit | n | min | median | p99 | target | met | note |\n");
                text.append("|---|---|--:|--:|--:|--:|---|---|---|\n");
            }
            text.append("| ").append(row.figure()).append(" | ").append(row.unit()).append(" | ").append(row.count())
                    .append(" | ").append(number(row.min())).append(" | ").append(number(row.median())).append(" | ").append(number(row.p99()))
                    .append(" | ").append(row.target().orElse(""))
                    .append(" | ").append(row.met().map(met -> met ? "yes" : "**no**").orElse(""))
                    .append(" | ").append(row.note()).append(" |\n");
        }
        return text.toString();
    }

    private String json()
            throws IOException
    {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("date", when.toOffsetDateTime().toString());
        root.put("quick", quick);
        root.put("complete", complete);
        ObjectNode machineNode = root.putObject("machine");
        machine.forEach(machineNode::put);
        ArrayNode figures = root.putArray("figures");
        for (Row row : rows) {
            ObjectNode figure = figures.addObject();
            figure.put("scenario", row.scenario());
            figure.put("figure", row.figure());
            figure.put("unit", row.unit());
            figure.put("n", row.count());
            figure.put("min", row.min());
            figure.put("median", row.median());
            figure.put("p99", row.p99());
            row.target().ifPresent(target -> figure.put("target", target));
            row.met().ifPresent(met -> figure.put("met", met));
            if (!row.note().isEmpty()) {
                figure.put("note", row.note());
            }
        }
        return mapper.writeValueAsString(root) + "\n";
    }

    private static String number(double value)
    {
        return Math.abs(value) >= 100 || value == Math.rint(value)
                ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.2f", value);
    }
}
