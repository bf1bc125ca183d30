package dev.berth.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Registry credentials from the manager's docker config.json, the file {@code docker login} writes,
 * so an operator configures berth's registries as they already know how. It is read at every look-up:
 * a login takes effect without restarting berth. Registries it names no credentials for, ECR's among
 * them, are left to {@code fallback}; so are those whose credential helper is ECR's ({@code ecr-login}).
 * Other credential helpers are programs berth does not run: a registry they keep is refused by name.
 */
public final class DockerConfigCredentials
        implements RegistryCredentials
{
    private static final String ECR_HELPER = "ecr-login";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final RegistryCredentials fallback;

    public DockerConfigCredentials(Path file, RegistryCredentials fallback)
    {
        this.file = requireNonNull(file, "file is null");
        this.fallback = requireNonNull(fallback, "fallback is null");
    }

    @Override
    public Optional<RegistryAuth> forRegistry(String registry)
    {
        Optional<JsonNode> read = read();
        if (read.isEmpty()) {
            return fallback.forRegistry(registry);
        }
        JsonNode config = read.get();
        Optional<String> helper = entryFor(config.path("credHelpers"), registry).map(JsonNode::asText);
        if (helper.isPresent()) {
            return viaHelper(registry, helper.get(), "credHelpers");
        }
        Optional<JsonNode> entry = entryFor(config.path("auths"), registry);
        if (entry.isPresent()) {
            Optional<RegistryAuth> auth = inline(registry, entry.get());
            if (auth.isPresent()) {
                return auth;
            }
            // An entry without credentials is what docker login leaves when a credential store holds them
            String store = config.path("credsStore").asText("");
            if (!store.isEmpty()) {
                return viaHelper(registry, store, "credsStore");
            }
        }
        return fallback.forRegistry(registry);
    }

    @Override
    public String whereToConfigure(String registry)
    {
        if (EcrCredentials.isEcrRegistry(registry)) {
            return fallback.whereToConfigure(registry);
        }
        return "auths of " + file + " (as 'docker login " + registry + "' writes it with no credential store)";
    }

    private Optional<RegistryAuth> viaHelper(String registry, String helper, String key)
    {
        if (helper.equals(ECR_HELPER)) {
            return fallback.forRegistry(registry);
        }
        throw new RegistryAccessException("the credentials for registry " + registry + " are kept by the docker credential helper '" + helper
                + "' (" + key + " in " + file + "), which berth does not run: put them in auths of " + file + " instead");
    }

    private Optional<RegistryAuth> inline(String registry, JsonNode entry)
    {
        String source = file.toString();
        String token = entry.path("identitytoken").asText("");
        if (!token.isEmpty()) {
            return Optional.of(RegistryAuth.identityToken(registry, token, source));
        }
        String encoded = entry.path("auth").asText("");
        if (!encoded.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8);
            }
            catch (IllegalArgumentException e) {
                decoded = "";
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                throw new RegistryAccessException("the auth of registry " + registry + " in " + file + " is not user:password in base64");
            }
            return Optional.of(RegistryAuth.password(registry, decoded.substring(0, colon), decoded.substring(colon + 1), source));
        }
        String username = entry.path("username").asText("");
        if (!username.isEmpty()) {
            return Optional.of(RegistryAuth.password(registry, username, entry.path("password").asText(""), source));
        }
        return Optional.empty();
    }

    /** The value of the key naming {@code registry}, whichever of its spellings the file uses. */
    private static Optional<JsonNode> entryFor(JsonNode entries, String registry)
    {
        for (Iterator<Map.Entry<String, JsonNode>> fields = entries.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (ImageNames.host(field.getKey()).equals(ImageNames.host(registry))) {
                return Optional.of(field.getValue());
            }
        }
        return Optional.empty();
    }

    private Optional<JsonNode> read()
    {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (IOException e) {
            throw new RegistryAccessException("cannot read the docker config " + file + ": " + e.getMessage());
        }
        try {
            return Optional.of(JSON.readTree(bytes));
        }
        catch (JsonProcessingException e) {
            // Only where: the parser's own message quotes the text, which holds secrets
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new RegistryAccessException("the docker config " + file + " is not valid JSON" + where);
        }
        catch (IOException e) {
            throw new RegistryAccessException("cannot read the docker config " + file + ": " + e.getMessage());
        }
    }
}
