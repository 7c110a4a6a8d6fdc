package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.spi.Check;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.spi.SafetyRule;
import io.drctl.orchestrator.spi.SafetyRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Evaluates a run's safety rules at one point of the run and journals each outcome:
 * {@code rule.checked {rule, ok, when}} when the rule holds, {@code rule.violated {rule, type, detail, when}}
 * when it does not, and additionally {@code rule.overridden {rule, detail, reason, user, when}} when the
 * operator overrode that rule. Every rule is evaluated (so the journal shows all of them); the
 * caller stops the run when {@link #evaluate} returns violations that were not overridden.
 *
 * <p>Not thread-safe: the engine calls it from its scheduling thread only, while no step of the
 * run is in flight. The rules of one evaluation run in parallel on threads of their own.
 */
public final class RuleEvaluator implements AutoCloseable {
    /** One violated rule that was not overridden. */
    public record Violation(String rule, String type, String detail) {
        public Violation {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(detail, "detail");
        }
    }

    private final List<RuleSpec> rules;
    private final SafetyRules registry;
    private final Journal journal;
    private final Map<String, String> overrides;
    private final String user;
    /** Rule id → where it last passed; absent: not evaluated yet, or its last evaluation did not pass. */
    private final Map<String, String> lastPass = new HashMap<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(StepRunner.daemon("drctl-rule"));

    public RuleEvaluator(List<RuleSpec> rules, SafetyRules registry, Journal journal, Map<String, String> overrides, String user) {
        this.rules = List.copyOf(rules);
        this.registry = Objects.requireNonNull(registry, "registry");
        this.journal = Objects.requireNonNull(journal, "journal");
        this.overrides = Map.copyOf(overrides);
        this.user = Objects.requireNonNull(user, "user");
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Evaluates every rule now; {@code at} says when ("before the first step"). */
    public List<Violation> evaluate(String at, RuleContext context) {
        return evaluate(at, context, Effect.all());
    }

    /**
     * Evaluates the rules that read something {@code changed} (what the steps finished since the last evaluation
     * could have changed, {@link io.drctl.orchestrator.spi.Action#effects}) and every rule whose last outcome was
     * not a pass; the rules evaluated run in parallel. A rule left alone is journaled as checked, with the point
     * of its last evaluation ({@code unchangedSince}): nothing since could change what it reads.
     * {@code at} says when ("after flip-dns").
     *
     * @return the violations that stop the run (empty: go on)
     */
    public List<Violation> evaluate(String at, RuleContext context, Set<Effect> changed) {
        Map<RuleSpec, Future<Check>> running = new LinkedHashMap<>();
        for (RuleSpec r : rules) {
            if (!mustEvaluate(r, changed)) {
                continue;
            }
            running.put(r, pool.submit(() -> check(r, context)));
        }
        List<Violation> out = new ArrayList<>();
        for (RuleSpec r : rules) {
            Future<Check> pending = running.get(r);
            if (pending == null) {
                journal.append(EventType.RULE_CHECKED, data("rule", r.id(), "ok", true, "when", at,
                        "unchangedSince", lastPass.get(r.id())));
                continue;
            }
            Check c = await(pending);
            if (c.ok()) {
                lastPass.put(r.id(), at);
                journal.append(EventType.RULE_CHECKED, data("rule", r.id(), "ok", true, "when", at, "detail", c.detail()));
                continue;
            }
            lastPass.remove(r.id());
            journal.append(EventType.RULE_VIOLATED, data("rule", r.id(), "type", r.type(), "detail", c.detail(), "when", at));
            String reason = overrides.get(r.id());
            if (reason != null) {
                journal.append(EventType.RULE_OVERRIDDEN, data("rule", r.id(), "detail", c.detail(), "reason", reason, "user", user,
                        "when", at));
            } else {
                out.add(new Violation(r.id(), r.type(), c.detail()));
            }
        }
        return out;
    }

    /** Whether {@code r} must be evaluated: it did not pass last time, or it reads something that may have changed. */
    private boolean mustEvaluate(RuleSpec r, Set<Effect> changed) {
        if (!lastPass.containsKey(r.id())) {
            return true;
        }
        Set<Effect> reads = registry.find(r.type()).map(SafetyRule::reads).orElse(Effect.all());
        return reads.stream().anyMatch(changed::contains);
    }

    private static Check await(Future<Check> pending) {
        try {
            return pending.get();
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            return Check.violated("could not evaluate (interrupted); safety cannot be shown");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Check.violated("could not evaluate, so safety cannot be shown: " + cause);
        }
    }

    /** Stops the evaluation threads (none is running between evaluations). */
    @Override
    public void close() {
        pool.shutdownNow();
    }

    private Check check(RuleSpec r, RuleContext context) {
        Optional<SafetyRule> type = registry.find(r.type());
        if (type.isEmpty()) {
            return Check.violated("rule type `" + r.type() + "` is not registered");
        }
        try {
            return type.get().evaluate(r, context);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.violated("could not evaluate (interrupted); safety cannot be shown");
        } catch (Exception e) {
            String msg = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            return Check.violated("could not evaluate, so safety cannot be shown: " + msg);
        }
    }

    private static Map<String, Object> data(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * The refusal explanation of the latest run or resume in {@code events}: every {@code rule.violated}
     * not followed by a {@code rule.overridden} of the same rule at the same point. Empty when none.
     */
    public static List<Violation> refusals(List<JournalEvent> events) {
        int from = 0;
        for (int i = 0; i < events.size(); i++) {
            String e = events.get(i).event();
            if (e.equals("run.started") || e.equals("run.resumed")) {
                from = i;
            }
        }
        List<Violation> out = new ArrayList<>();
        for (int i = from; i < events.size(); i++) {
            JournalEvent e = events.get(i);
            if (e.event().equals("rule.violated")) {
                boolean overridden = i + 1 < events.size() && events.get(i + 1).event().equals("rule.overridden")
                        && Objects.equals(events.get(i + 1).str("rule"), e.str("rule"));
                if (!overridden) {
                    out.add(new Violation(e.str("rule"), String.valueOf(e.str("type")), e.str("detail") + " (" + e.str("when") + ")"));
                }
            }
        }
        return out;
    }
}
