package dev.berth.store;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;

import static java.util.Objects.requireNonNull;

/**
 * berth's durable state: one SQLite file in WAL mode on the manager's own disk, opened here and read
 * through {@link #reads()}, changed through {@link #writes()}. The daemon is the only regular writer;
 * the CLI reads it directly (so {@code list} and {@code status} work while the daemon restarts) and
 * writes only a cancel request. Reads and writes share the one connection and its one lock.
 */
public final class JobStore
        implements AutoCloseable
{
    private final Database database;
    private final String instanceId;
    private final JobReads reads;
    private final JobWrites writes;
    private final StatsReads stats;
    private final QueueReads queue;
    private final AdmissionReads admission;
    private final ArrayReads arrays;

    private JobStore(Database database, String instanceId)
    {
        this.database = requireNonNull(database, "database is null");
        this.instanceId = requireNonNull(instanceId, "instanceId is null");
        this.reads = new JobReads(database);
        this.writes = new JobWrites(database);
        this.stats = new StatsReads(database);
        this.queue = new QueueReads(database);
        this.admission = new AdmissionReads(database);
        this.arrays = new ArrayReads(database);
    }

    /** Opens the store, creating or upgrading it as needed; opening one that is current writes nothing. */
    public static JobStore open(Path databaseFile)
    {
        try {
            Database database = Database.open(databaseFile);
            Schema.upgrade(database);
            return new JobStore(database, Schema.instanceId(database));
        }
        catch (SQLException | IOException e) {
            throw new StoreException("cannot open state database " + databaseFile + ": " + e.getMessage(), e);
        }
    }

    /** Labels every Swarm service this store's daemon creates, so two berths sharing a swarm never touch each other's. */
    public String instanceId()
    {
        return instanceId;
    }

    public JobReads reads()
    {
        return reads;
    }

    public JobWrites writes()
    {
        return writes;
    }

    /** What {@code berth stats} reads: aggregates over a window of time. */
    public StatsReads stats()
    {
        return stats;
    }

    /** What a queued job's place in line and its estimated start are made from. */
    public QueueReads queue()
    {
        return queue;
    }

    /** What admission reads of the queue each round, user by user, and what fair share counts at start. */
    public AdmissionReads admission()
    {
        return admission;
    }

    /** What the commands read of arrays, as wholes and task by task. */
    public ArrayReads arrays()
    {
        return arrays;
    }

    @Override
    public void close()
    {
        database.close();
    }
}
