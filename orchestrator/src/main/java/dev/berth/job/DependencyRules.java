package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/** The rules for the fields that make a job wait for others: {@code after} and {@code after_any}, arrays of job ids. */
final class DependencyRules
{
    /**
     * How many jobs one job may wait for, both fields together: enough for a fan-in of a sweep's jobs, and a
     * bound on what each end of one of them reads in its transaction.
     */
    static final int MAX_DEPENDENCIES = 100;

    private final RequestFields fields;

    DependencyRules(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    /** The jobs named, each once; none when neither field is given. */
    List<Dependency> dependencies()
    {
        List<Dependency> dependencies = new ArrayList<>();
        Set<String> named = new HashSet<>();
        for (Dependency.Kind kind : Dependency.Kind.values()) {
            String field = kind.field();
            Optional<JsonNode> array = fields.collection(field, JsonNode::isArray, "an array of job ids such as [\"a1b2c3\"]", MAX_DEPENDENCIES, "job ids");
            if (array.isEmpty()) {
                continue;
            }
            for (int i = 0; i < array.get().size(); i++) {
                String path = field + "[" + i + "]";
                Optional<String> id = fields.text(path, array.get().get(i));
                if (id.isEmpty()) {
                    continue;
                }
                if (!NamingRules.JOB_ID.matcher(id.get()).matches()) {
                    fields.problem(path, path + " '" + RequestFields.abbreviate(id.get()) + "' is not valid: expected a job id or an unambiguous prefix of one");
                }
                else if (!named.add(id.get())) {
                    fields.problem(path, path + " '" + id.get() + "' is named twice: give each job once, in after or after_any");
                }
                else {
                    dependencies.add(new Dependency(id.get(), kind));
                }
            }
        }
        if (dependencies.size() > MAX_DEPENDENCIES) {
            fields.problem("after", "after and after_any name " + dependencies.size() + " jobs together; the limit is " + MAX_DEPENDENCIES);
            return List.of();
        }
        return dependencies;
    }
}
