package dev.berth.testing;

import dev.berth.swarm.SwarmClient;

import java.io.IOException;
import java.nio.file.Path;

/** The local Docker engine as a single-node swarm holding berth's local job image, made so if it is not. */
public final class LocalSwarm
{
    public static final String IMAGE = "berth-local/busybox:1";
    public static final String DOCKER_HOST = "unix:///var/run/docker.sock";

    private LocalSwarm() {}

    public static synchronized void ensureReady()
            throws IOException
    {
        try (SwarmClient swarm = new SwarmClient(DOCKER_HOST)) {
            if (!swarm.isManager()) {
                swarm.initSingleNodeSwarm();
            }
            if (swarm.resolveImage(IMAGE).isEmpty()) {
                Path script = projectRoot().resolve("scripts").resolve("local-image.sh");
                Process process = new ProcessBuilder(script.toString(), IMAGE, DOCKER_HOST).inheritIO().start();
                try {
                    if (process.waitFor() != 0) {
                        throw new IOException(script + " failed with exit code " + process.exitValue());
                    }
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while building " + IMAGE, e);
                }
            }
        }
    }

    /** The repository root: tests run in the orchestrator module's folder. */
    public static Path projectRoot()
    {
        Path dir = Path.of("").toAbsolutePath();
        return dir.getFileName().toString().equals("orchestrator") ? dir.getParent() : dir;
    }
}
