package dev.berth.registry;

import java.util.Optional;

/**
 * Which credentials berth uses for a registry: to pin a job's image to a digest, and handed on with
 * its service so the workers pull with them. {@link DockerConfigCredentials} reads the manager's docker
 * config.json, {@link EcrCredentials} asks ECR for a token.
 */
public interface RegistryCredentials
{
    /**
     * The credentials for {@code registry} (a host with its port, as {@link ImageNames#registry} gives it),
     * or empty to pull without any.
     *
     * @throws RegistryAccessException when there are credentials for the registry that berth cannot use
     */
    Optional<RegistryAuth> forRegistry(String registry);

    /** Where an operator gives berth credentials for {@code registry}, for the message of a job that lacked them. */
    String whereToConfigure(String registry);

    /** No credentials for any registry: images are pulled anonymously, as before berth knew of registries. */
    static RegistryCredentials none()
    {
        return new RegistryCredentials()
        {
            @Override
            public Optional<RegistryAuth> forRegistry(String registry)
            {
                return Optional.empty();
            }

            @Override
            public String whereToConfigure(String registry)
            {
                return "a docker config.json (BERTH_DOCKER_CONFIG) of the berth daemon";
            }
        };
    }
}
