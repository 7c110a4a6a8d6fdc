package io.drctl.dns.cache;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One host flushed and verified.
 *
 * @param host     the host
 * @param flushed  the caches found and flushed (empty: the host caches nothing drctl knows)
 * @param resolved what each name resolved to there at the end (= the expected addresses)
 * @param attempts flush-and-resolve rounds it took
 * @param elapsed  time from the first flush to the successful check
 */
public record FlushResult(String host, List<ResolverKind> flushed, Map<String, Set<String>> resolved, int attempts, Duration elapsed) {
    public FlushResult {
        flushed = List.copyOf(flushed);
        resolved = Map.copyOf(resolved);
    }
}
