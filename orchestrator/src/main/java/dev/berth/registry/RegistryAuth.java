package dev.berth.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Credentials for one registry, as the Docker engine takes them for a pull: a user and a password,
 * or an identity token. The secret leaves this class only through {@link #engineFields()}, for the
 * engine's header; {@link #toString()} never shows it.
 */
public final class RegistryAuth
{
    private final String registry;
    private final Optional<String> username;
    private final String secret;
    private final String source;

    private RegistryAuth(String registry, Optional<String> username, String secret, String source)
    {
        this.registry = requireNonNull(registry, "registry is null");
        this.username = requireNonNull(username, "username is null");
        this.secret = requireNonNull(secret, "secret is null");
        this.source = requireNonNull(source, "source is null");
    }

    /** @param source where the credentials came from, for messages: a file, or ECR */
    public static RegistryAuth password(String registry, String username, String password, String source)
    {
        return new RegistryAuth(registry, Optional.of(requireNonNull(username, "username is null")), password, source);
    }

    public static RegistryAuth identityToken(String registry, String token, String source)
    {
        return new RegistryAuth(registry, Optional.empty(), token, source);
    }

    public String registry()
    {
        return registry;
    }

    /** Where these credentials came from, with no secret in it: said when the registry refuses them. */
    public String source()
    {
        return source;
    }

    /** The fields of the engine's {@code X-Registry-Auth} header (its AuthConfig), the secret among them: for that header only. */
    public Map<String, String> engineFields()
    {
        Map<String, String> fields = new LinkedHashMap<>();
        if (username.isPresent()) {
            fields.put("username", username.get());
            fields.put("password", secret);
        }
        else {
            fields.put("identitytoken", secret);
        }
        fields.put("serveraddress", registry);
        return fields;
    }

    @Override
    public String toString()
    {
        return "RegistryAuth{registry=" + registry + ", " + (username.isPresent() ? "password" : "identity token") + " from " + source + "}";
    }
}
