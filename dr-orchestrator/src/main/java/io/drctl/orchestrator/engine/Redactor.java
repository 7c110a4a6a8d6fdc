package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.model.Inventory;
import io.drctl.orchestrator.model.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Defence in depth: replaces the values of every secret the inventory references through an
 * environment variable ({@code dns.tsig.keyEnv}, {@code providers.*.passwordEnv}) with {@code ***}
 * in anything journaled or printed, in case a command echoes one.
 */
public final class Redactor {
    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = List.copyOf(secrets);
    }

    public static Redactor none() {
        return new Redactor(List.of());
    }

    public static Redactor of(Inventory inv, Map<String, String> env) {
        List<String> names = new ArrayList<>();
        inv.dns().flatMap(d -> d.tsig()).flatMap(t -> t.keyEnv()).ifPresent(names::add);
        for (Provider p : inv.providers().values()) {
            if (p instanceof Provider.Vsphere v) {
                names.add(v.passwordEnv());
            }
        }
        List<String> values = new ArrayList<>();
        for (String n : names) {
            String v = env.get(n);
            if (v != null && v.length() >= 4) {
                values.add(v);
                // a TSIG triple "alg:name:secret": the secret part alone must go too
                int colon = v.lastIndexOf(':');
                if (colon > 0 && v.length() - colon > 8) {
                    values.add(v.substring(colon + 1));
                }
            }
        }
        return new Redactor(values);
    }

    /** {@link #redact(String)} applied to every string inside {@code v}, at any depth (maps, lists); other values as they are. */
    public Object redactDeep(Object v) {
        if (v instanceof String s) {
            return redact(s);
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k instanceof String ks ? redact(ks) : k, redactDeep(x)));
            return out;
        }
        if (v instanceof java.util.Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(x -> out.add(redactDeep(x)));
            return out;
        }
        return v;
    }

    public String redact(String s) {
        String out = s;
        for (String secret : secrets) {
            out = out.replace(secret, "***");
        }
        return out;
    }
}
