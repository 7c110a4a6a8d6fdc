package io.drctl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LabelledTest {

    private enum Sample implements Labelled {
        PLAIN,
        TWO_WORDS,
        SPELLED_OTHERWISE {
            @Override
            public String label() {
                return "other";
            }
        }
    }

    @Test
    void label_lowerCaseWithHyphens_unlessOverridden() {
        assertEquals("plain", Sample.PLAIN.label());
        assertEquals("two-words", Sample.TWO_WORDS.label());
        assertEquals("other", Sample.SPELLED_OTHERWISE.label());
    }

    @Test
    void labels_inDeclarationOrder() {
        assertEquals(List.of("plain", "two-words", "other"), Labelled.labels(Sample.class));
    }

    @Test
    void find_exactLabelOnly() {
        assertEquals(Optional.of(Sample.TWO_WORDS), Labelled.find(Sample.class, "two-words"));
        assertEquals(Optional.of(Sample.SPELLED_OTHERWISE), Labelled.find(Sample.class, "other"));
        assertEquals(Optional.empty(), Labelled.find(Sample.class, "TWO-WORDS"));
        assertEquals(Optional.empty(), Labelled.find(Sample.class, "two_words"));
        assertEquals(Optional.empty(), Labelled.find(Sample.class, "spelled-otherwise"));
        assertEquals(Optional.empty(), Labelled.find(Sample.class, null));
    }
}
