package io.drctl.testing;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The base of the tests' clocks: always UTC, {@link #withZone} returns the same clock; subclasses say what time it is. */
public abstract class UtcTestClock extends Clock {

    @Override
    public final ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public final Clock withZone(ZoneId zone) {
        return this;
    }
}
