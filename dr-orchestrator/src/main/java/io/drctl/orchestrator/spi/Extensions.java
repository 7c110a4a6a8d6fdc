package io.drctl.orchestrator.spi;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Third-party step and rule types listed in {@code META-INF/services}. A listed class that is missing or
 * cannot be made (a stale or broken extension jar) is skipped with a warning naming it: it must not take
 * every command down with it.
 */
final class Extensions {
    private static final Logger LOG = LoggerFactory.getLogger(Extensions.class);
    /** More listed providers than any class path holds: the loop always ends. */
    private static final int MAX_PROVIDERS = 1000;

    private Extensions() {
    }

    static <T> List<T> load(Class<T> type) {
        List<T> out = new ArrayList<>();
        Iterator<T> it = ServiceLoader.load(type).iterator();
        for (int i = 0; i < MAX_PROVIDERS; i++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next());
            } catch (ServiceConfigurationError e) {
                LOG.warn("skipping a {} extension listed in META-INF/services: {}", type.getSimpleName(), e.getMessage());
            }
        }
        return out;
    }
}
