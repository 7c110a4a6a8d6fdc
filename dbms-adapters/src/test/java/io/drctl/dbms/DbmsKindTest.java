package io.drctl.dbms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DbmsKindTest {

    @Test
    void labels_areTheInventoryWords() {
        assertEquals(List.of("postgresql", "command"), DbmsKind.labels());
        assertEquals(Optional.of(DbmsKind.COMMAND), DbmsKind.find("command"));
        assertEquals(Optional.empty(), DbmsKind.find("POSTGRESQL"));
        assertEquals(Optional.empty(), DbmsKind.find("mysql"));
    }
}
