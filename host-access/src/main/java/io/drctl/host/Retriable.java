package io.drctl.host;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link FailureKind} enum constant after which the same call may succeed if tried again later;
 * an unmarked constant is final. Read once per enum by {@link FailureKind#isRetriable()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Retriable {
}
