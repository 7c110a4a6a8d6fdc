package io.drctl.host;

import java.lang.reflect.Field;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The names of each enum's {@link Retriable} constants, looked up once per enum. */
final class RetriableConstants {
    static final ClassValue<Set<String>> OF = new ClassValue<>() {
        @Override
        protected Set<String> computeValue(Class<?> kinds) {
            return Stream.of(kinds.getFields())
                    .filter(f -> f.isEnumConstant() && f.isAnnotationPresent(Retriable.class))
                    .map(Field::getName)
                    .collect(Collectors.toUnmodifiableSet());
        }
    };

    private RetriableConstants() {
    }
}
