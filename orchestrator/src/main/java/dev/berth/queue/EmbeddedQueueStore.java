package dev.berth.queue;

import dev.berth.rundir.AtomicFiles;
import org.elasticmq.persistence.sql.DB$;
import org.elasticmq.persistence.sql.SqlQueuePersistenceConfig;
import org.h2.jdbcx.JdbcConnectionPool;
import scala.concurrent.ExecutionContext;
import scala.concurrent.ExecutionContextExecutorService;
import scalikejdbc.ConnectionPool;
import scalikejdbc.DataSourceConnectionPool;
import scalikejdbc.DataSourceConnectionPoolSettings;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;

import static java.util.Objects.requireNonNull;

/**
 * Where the embedded queue keeps its queues and messages across restarts: an H2 database in
 * {@code embedded-queue/} of the state dir, readable by its owner only, beside the port it last had.
 *
 * <p>ElasticMQ's SQL storage reaches its database through scalikejdbc's one JVM-wide connection
 * pool, which would send every embedded queue of a JVM (tests run several at once) into the first
 * one's file. So the pool berth installs there hands each caller a connection to the database of
 * the queue whose threads it runs on: each embedded queue runs its actors on threads of its own,
 * which carry its database.
 */
final class EmbeddedQueueStore
        implements AutoCloseable
{
    private static final String DIR = "embedded-queue";
    private static final String PORT_FILE = "port";
    private static final String DRIVER = "org.h2.Driver";

    private final Path dir;
    private final String url;
    private final JdbcConnectionPool connections;
    private final ExecutorService threads;

    private EmbeddedQueueStore(Path dir, String url, JdbcConnectionPool connections, ExecutorService threads)
    {
        this.dir = requireNonNull(dir, "dir is null");
        this.url = requireNonNull(url, "url is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.threads = requireNonNull(threads, "threads is null");
    }

    static EmbeddedQueueStore open(Path stateDir)
            throws IOException
    {
        Path dir = stateDir.resolve(DIR).toAbsolutePath();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // Also when it was made before: the messages are job requests, whose parameters may carry what only their owner should read
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        // WRITE_DELAY=0: each commit is in the file before the queue answers the send, so a kill loses
        // nothing the queue accepted (H2 otherwise writes up to half a second later). berth closes the
        // database itself, after the queue has stopped, rather than H2 at exit while the queue still writes.
        String url = "jdbc:h2:file:" + dir.resolve("messages") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
        JdbcConnectionPool connections = JdbcConnectionPool.create(url, "", "");
        try (Connection ignored = connections.getConnection()) {
            // opened here, so that a locked or unreadable file fails the start, naming it
        }
        catch (SQLException e) {
            connections.dispose();
            throw new IOException("cannot open the embedded queue's messages in " + dir + ": " + e.getMessage(), e);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(Files.isDirectory(file) ? "rwx------" : "rw-------"));
            }
        }
        AtomicInteger threadNumbers = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                task -> new StoreThread(task, "embedded-queue-" + threadNumbers.incrementAndGet(), connections));
        EmbeddedQueueStore store = new EmbeddedQueueStore(dir, url, connections, threads);
        store.routeSqlStorage();
        return store;
    }

    /** ElasticMQ's settings for keeping queues and messages here. */
    SqlQueuePersistenceConfig persistence()
    {
        return new SqlQueuePersistenceConfig(true, DRIVER, url, "", "", false);
    }

    /** Where the embedded queue's actors run: on threads that reach this store's database. */
    ExecutionContextExecutorService executionContext()
    {
        return ExecutionContext.fromExecutorService(threads);
    }

    /** The port the embedded queue had when it last ran on this state dir. */
    OptionalInt lastPort()
            throws IOException
    {
        Path file = dir.resolve(PORT_FILE);
        if (!Files.exists(file)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(file).strip()));
        }
        catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    void recordPort(int port)
            throws IOException
    {
        AtomicFiles.write(dir.resolve(PORT_FILE), Integer.toString(port).getBytes(StandardCharsets.UTF_8));
    }

    Path dir()
    {
        return dir;
    }

    /**
     * Installs the routing pool as scalikejdbc's JVM-wide one. ElasticMQ's own one-time set-up of that
     * pool runs first, here, so that it cannot replace the routing pool later, when its storage starts.
     */
    private void routeSqlStorage()
    {
        DB$.MODULE$.initializeSingleton(persistence());
        ConnectionPool.singleton(new DataSourceConnectionPool(new ThreadRoutedDataSource(),
                new DataSourceConnectionPoolSettings(DataSourceConnectionPoolSettings.apply$default$1()), () -> {}));
    }

    @Override
    public void close()
    {
        threads.shutdown();
        // Closing the last connection closes the database, so that the next start (or a test's next queue) opens it afresh
        connections.dispose();
    }

    /** A thread of one embedded queue's actors, carrying that queue's database. */
    private static final class StoreThread
            extends Thread
    {
        private final DataSource connections;

        StoreThread(Runnable task, String name, DataSource connections)
        {
            super(task, name);
            this.connections = connections;
            setDaemon(true);
        }
    }

    /** The database of the embedded queue whose thread asks: ElasticMQ's storage only ever asks from its queue's actors. */
    private static final class ThreadRoutedDataSource
            implements DataSource
    {
        @Override
        public Connection getConnection()
                throws SQLException
        {
            if (Thread.currentThread() instanceof StoreThread thread) {
                return thread.connections.getConnection();
            }
            throw new SQLException("the embedded queue's storage was used from " + Thread.currentThread().getName()
                    + ", which belongs to no embedded queue");
        }

        @Override
        public Connection getConnection(String username, String password)
                throws SQLException
        {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter()
        {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out)
        {
        }

        @Override
        public void setLoginTimeout(int seconds)
        {
        }

        @Override
        public int getLoginTimeout()
        {
            return 0;
        }

        @Override
        public Logger getParentLogger()
                throws SQLFeatureNotSupportedException
        {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type)
                throws SQLException
        {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type)
        {
            return false;
        }
    }
}
