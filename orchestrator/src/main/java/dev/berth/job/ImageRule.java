package dev.berth.job;

import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/** The rule for {@code image}: a reference as Docker writes one, or berth's default image when the request names none. */
final class ImageRule
{
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,511}");

    private final RequestFields fields;

    ImageRule(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    String image(String defaultImage)
    {
        return fields.matching("image", IMAGE, "an image reference such as python:3.12 or registry/org/image@sha256:...").orElse(defaultImage);
    }
}
