package dev.berth.bench;

import java.util.List;

/** One benchmark: runs berth and the baseline on the same test bed and returns the table's rows. */
interface Scenario
{
    String name();

    List<Row> run(Bench bench)
            throws Exception;
}
