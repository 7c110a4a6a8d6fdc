package io.drctl.orchestrator.steps.support;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.dns.DnsException;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.vm.VmException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** One translation of adapter failures for every domain's step types. */
class AdapterCallTest {

    @Test
    void call_returnsWhatTheAdapterAnswered() throws Exception {
        assertEquals("answer", call(() -> "answer"));
    }

    @Test
    void call_anAdaptersFailure_isTheStepFailureItMeans_messageAsIs_retriableAsItsKindSays() {
        DnsException badKey = new DnsException(DnsException.Kind.BAD_KEY, "ns1", "key drctl unknown");
        StepFailure f = assertThrows(StepFailure.class, () -> call(() -> {
            throw badKey;
        }));
        assertEquals(badKey.getMessage(), f.getMessage());
        assertFalse(f.isRetriable());
        assertSame(badKey, f.getCause());

        VmException timeout = new VmException(VmException.Kind.TIMEOUT, "region2/fw", "no answer in 30s");
        StepFailure t = assertThrows(StepFailure.class, () -> call(() -> {
            throw timeout;
        }));
        assertTrue(t.isRetriable(), "a timeout's kind is retriable");
    }

    @Test
    void call_hostAccessAndOtherFailures_passAsThemselves_forTheEngineToClassify() {
        HostAccessException down = new HostAccessException(HostAccessException.Kind.UNREACHABLE, "region1/dbms", "no route");
        assertSame(down, assertThrows(HostAccessException.class, () -> call(() -> {
            throw down;
        })));
        IOException io = new IOException("disk full");
        assertSame(io, assertThrows(IOException.class, () -> call(() -> {
            throw io;
        })));
    }
}
