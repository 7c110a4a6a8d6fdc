package io.drctl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FailureKindTest {

    private enum Sample implements FailureKind {
        FINAL,
        @Retriable AGAIN,
        WITH_BODY {
            @Override
            public String toString() {
                return "body";
            }
        },
        @Retriable AGAIN_WITH_BODY {
            @Override
            public String toString() {
                return "body";
            }
        }
    }

    /** The retriable constants of a kind enum. */
    private static <K extends Enum<K> & FailureKind> Set<K> retriable(Class<K> kinds) {
        return Arrays.stream(kinds.getEnumConstants()).filter(FailureKind::isRetriable)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(kinds)));
    }

    @Test
    void isRetriable_markedConstantsOnly() {
        assertTrue(Sample.AGAIN.isRetriable());
        assertFalse(Sample.FINAL.isRetriable());
    }

    @Test
    void isRetriable_constantWithBody_readsItsMark() {
        assertTrue(Sample.AGAIN_WITH_BODY.isRetriable());
        assertFalse(Sample.WITH_BODY.isRetriable());
    }

    @Test
    void hostAccessKinds_retriableAreTheTransientOnes() {
        assertEquals(EnumSet.of(HostAccessException.Kind.UNREACHABLE, HostAccessException.Kind.COMMAND_TIMEOUT,
                HostAccessException.Kind.IO), retriable(HostAccessException.Kind.class));
    }
}
