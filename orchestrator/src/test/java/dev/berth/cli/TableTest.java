package dev.berth.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableTest
{
    @Test
    void columnsLineUpUnderTheirWidestCellWithNoTrailingBlanks()
    {
        String table = Table.render(List.of(
                List.of("ID", "STATE", "REASON"),
                List.of("exp-1", "QUEUED", ""),
                List.of("a", "RUNNING", "on worker-2")));

        assertThat(table).isEqualTo("""
                ID     STATE    REASON
                exp-1  QUEUED
                a      RUNNING  on worker-2
                """);
    }
}
