package dev.berth.fleet;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.HCLParserException;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.EvalSymbol;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.Function;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.VariableTree;
import com.bertramlabs.plugins.hcl4j.symbols.Symbol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A Terraform module as hcl4j parses it: each {@code .tf} file on its own, so references to what
 * other files declare stay visible as text ({@code var.x}) in the values of the block using them,
 * plus every {@code var.x} the parser evaluated outside variable declarations, function arguments included.
 * hcl4j evaluates conditionals and function calls to a value, dropping the references in them
 * ({@code count = var.n > 0 ? 1 : 0} parses as {@code 1.0}), so what a block refers to is read
 * from its source text instead.
 */
final class TerraformModule
{
    private static final Pattern VARIABLE_REFERENCE = Pattern.compile("\\bvar\\.([A-Za-z0-9_]+)");

    private final Map<String, Map<String, Object>> files;
    private final Map<String, String> sources;
    private final Set<String> referencedVariables;

    private TerraformModule(Map<String, Map<String, Object>> files, Map<String, String> sources, Set<String> referencedVariables)
    {
        this.files = Map.copyOf(files);
        this.sources = Map.copyOf(sources);
        this.referencedVariables = Set.copyOf(referencedVariables);
    }

    static TerraformModule parse(Path directory)
    {
        requireNonNull(directory, "directory is null");
        Map<String, Map<String, Object>> files = new HashMap<>();
        Map<String, String> texts = new HashMap<>();
        Set<String> references = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> listing = Files.list(directory)) {
            sources = listing.filter(path -> path.getFileName().toString().endsWith(".tf")).sorted().toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no .tf files in " + directory);
        }
        for (Path source : sources) {
            ReferenceCollectingParser parser = new ReferenceCollectingParser();
            try {
                texts.put(source.getFileName().toString(), Files.readString(source));
                files.put(source.getFileName().toString(), parser.parse(source.toFile(), false));
            }
            catch (HCLParserException | IOException | RuntimeException e) {
                throw new IllegalArgumentException("%s does not parse as HCL: %s".formatted(source, e.getMessage()), e);
            }
            Map<String, Object> parsed = files.get(source.getFileName().toString());
            // A variable's own validation block names it; that is not a use.
            if (!parsed.keySet().equals(Set.of("variable"))) {
                references.addAll(parser.variables);
                references.addAll(variablesIn(parsed));
            }
        }
        return new TerraformModule(files, texts, references);
    }

    Set<String> fileNames()
    {
        return files.keySet();
    }

    /** Declared variables by name, each its attribute map ({@code type}, {@code description}, {@code default}). */
    Map<String, Map<String, Object>> variables()
    {
        return blocks("variable");
    }

    Map<String, Map<String, Object>> outputs()
    {
        return blocks("output");
    }

    /** Resources of one type by name. */
    Map<String, Map<String, Object>> resources(String type)
    {
        return typed("resource", type);
    }

    /** Data sources of one type by name. */
    Map<String, Map<String, Object>> dataSources(String type)
    {
        return typed("data", type);
    }

    /**
     * The source text of one {@code resource} or {@code data} block, from its header to its closing
     * brace, with comments; fails when no file declares it.
     */
    String blockSource(String kind, String type, String name)
    {
        Pattern header = Pattern.compile("(?m)^" + kind + "\\s+\"" + Pattern.quote(type) + "\"\\s+\"" + Pattern.quote(name) + "\"\\s*\\{");
        for (String text : sources.values()) {
            Matcher matcher = header.matcher(text);
            if (matcher.find()) {
                int depth = 0;
                for (int i = matcher.end() - 1; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c == '{') {
                        depth++;
                    }
                    else if (c == '}' && --depth == 0) {
                        return text.substring(matcher.start(), i + 1);
                    }
                }
                throw new IllegalArgumentException("%s %s.%s is never closed".formatted(kind, type, name));
            }
        }
        throw new IllegalArgumentException("no %s %s.%s in the module".formatted(kind, type, name));
    }

    Set<String> referencedVariables()
    {
        return referencedVariables;
    }

    /** Every {@code resource type.name} whose source mentions {@code var.<variable>}. */
    Set<String> resourcesReferencing(String variable)
    {
        Set<String> found = new TreeSet<>();
        for (Map<String, Object> file : files.values()) {
            if (file.get("resource") instanceof Map<?, ?> types) {
                types.forEach((type, named) -> asMap(named).keySet().forEach(name -> {
                    if (variablesIn(blockSource("resource", (String) type, name)).contains(variable)) {
                        found.add(type + "." + name);
                    }
                }));
            }
        }
        return found;
    }

    private Map<String, Map<String, Object>> typed(String kind, String type)
    {
        Map<String, Map<String, Object>> found = new HashMap<>();
        for (Map<String, Object> file : files.values()) {
            Object byType = file.get(kind);
            if (byType instanceof Map<?, ?> types && types.get(type) instanceof Map<?, ?> named) {
                named.forEach((name, body) -> found.put((String) name, asMap(body)));
            }
        }
        return found;
    }

    private Map<String, Map<String, Object>> blocks(String kind)
    {
        Map<String, Map<String, Object>> found = new HashMap<>();
        for (Map<String, Object> file : files.values()) {
            if (file.get(kind) instanceof Map<?, ?> named) {
                named.forEach((name, body) -> found.put((String) name, asMap(body)));
            }
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value)
    {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException("expected a block, got " + value);
    }

    private static Set<String> variablesIn(Object value)
    {
        Set<String> names = new TreeSet<>();
        Matcher matcher = VARIABLE_REFERENCE.matcher(String.valueOf(value));
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** Records the variable references hcl4j evaluates, including those inside function calls whose result it drops. */
    private static final class ReferenceCollectingParser
            extends HCLParser
    {
        private final Set<String> variables = new TreeSet<>();

        @Override
        protected Object processEvaluation(EvalSymbol symbol, Object context, Map<String, Object> scope)
                throws HCLParserException
        {
            collect(symbol);
            return super.processEvaluation(symbol, context, scope);
        }

        @Override
        protected Object evaluateFunctionCall(String name, Function function, Map<String, Object> scope)
                throws HCLParserException
        {
            collect(function);
            return super.evaluateFunctionCall(name, function, scope);
        }

        private void collect(Symbol symbol)
        {
            if (symbol instanceof VariableTree && symbol.getName() != null) {
                variables.addAll(variablesIn(symbol.getName()));
            }
            if (symbol.getChildren() != null) {
                symbol.getChildren().forEach(this::collect);
            }
        }
    }
}
