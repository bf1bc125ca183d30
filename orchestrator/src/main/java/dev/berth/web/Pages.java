package dev.berth.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;

import java.util.Map;

/**
 * The dashboard's pages: jte templates under {@code src/main/jte}, compiled to classes at build
 * time. Every {@code ${...}} in them is escaped for where it stands (text, attribute, script), so a
 * job's name or log line is shown as text, never run.
 */
public final class Pages
{
    private static final String PACKAGE = "dev.berth.web.templates";

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(null, ContentType.Html, Pages.class.getClassLoader(), PACKAGE);

    /** Renders {@code template} (a path such as {@code "jobs.jte"}) with its parameters into the response. */
    public void render(Context context, String template, Map<String, Object> parameters)
    {
        StringOutput output = new StringOutput();
        engine.render(template, parameters, output);
        context.html(output.toString());
    }
}
