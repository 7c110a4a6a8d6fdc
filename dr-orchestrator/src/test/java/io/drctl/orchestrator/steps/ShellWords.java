package io.drctl.orchestrator.steps;

import java.util.ArrayList;
import java.util.List;

/**
 * POSIX sh words of a command line: single quotes, double quotes, and the {@code '"'"'} idiom; how the fake hosts
 * ({@code FakePostgres}, {@code FakeIptables}) read the commands drctl sends them.
 */
public final class ShellWords {
    private ShellWords() {
    }

    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, i + 1);
                w.append(s, i + 1, end);
                i = end;
                any = true;
            } else if (c == ' ') {
                if (any) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(w.toString());
        }
        return out;
    }
}
