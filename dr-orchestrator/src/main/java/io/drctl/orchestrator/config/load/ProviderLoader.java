package io.drctl.orchestrator.config.load;

import io.drctl.orchestrator.config.model.Provider;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.vm.CommandTemplates;
import io.drctl.vm.SecretRef;
import io.drctl.vm.VsphereConfig;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads one VM provider of {@code providers:}: {@code kind: vsphere} (REST API) or {@code kind: command} (templates). */
final class ProviderLoader {
    private ProviderLoader() {
    }

    static Optional<Provider> provider(String name, Fields p) {
        Problems problems = p.problems();
        Optional<String> kind = p.requiredString("kind");
        if (kind.isEmpty()) {
            p.allow("url", "user", "passwordEnv", "trustStore", "start", "stop", "status", "running", "stopped");
            p.done();
            return Optional.empty();
        }
        Optional<Provider> out;
        switch (kind.get()) {
            case "vsphere" -> {
                var url = p.requiredString("url");
                url.ifPresent(u -> {
                    if (!u.startsWith("https://")) {
                        problems.add(p.at("url"), "vSphere url '" + u + "' must use https://");
                    }
                });
                var user = p.requiredString("user");
                var env = p.requiredString("passwordEnv");
                env.ifPresent(e -> Checks.checkEnvName(p, "passwordEnv", e));
                var trust = p.string("trustStore");
                Checks.checkPath(p, "trustStore", trust);
                int before = problems.size();
                out = url.isPresent() && user.isPresent() && env.isPresent()
                        ? Optional.of(new Provider.Vsphere(name, url.get(), user.get(), env.get(), trust)) : Optional.empty();
                if (out.isPresent() && problems.size() == before && Checks.ENV_NAME.matcher(env.get()).matches()) {
                    try {
                        VsphereConfig.of(URI.create(url.get()), user.get(), SecretRef.env(env.get()), null);
                    } catch (IllegalArgumentException e) {
                        problems.add(p.location(), "vSphere provider `" + name + "`: " + e.getMessage());
                    }
                }
            }
            case "command" -> {
                var start = p.requiredString("start");
                var stop = p.requiredString("stop");
                var status = p.requiredString("status");
                var running = p.requiredString("running");
                var stopped = p.requiredString("stopped");
                for (String key : List.of("running", "stopped")) {
                    p.string(key).ifPresent(re -> {
                        try {
                            Pattern.compile(re);
                        } catch (PatternSyntaxException e) {
                            problems.add(p.at(key), "`" + key + "` is not a valid regular expression: " + e.getDescription());
                        }
                    });
                }
                out = start.isPresent() && stop.isPresent() && status.isPresent() && running.isPresent() && stopped.isPresent()
                        ? Optional.of(new Provider.Command(name, start.get(), stop.get(), status.get(), running.get(), stopped.get()))
                        : Optional.empty();
                if (out.isPresent()) {
                    try {
                        CommandTemplates.of(start.get(), stop.get(), status.get(), running.get(), stopped.get());
                    } catch (IllegalArgumentException e) {
                        problems.add(p.location(), "command provider `" + name + "`: " + e.getMessage());
                    }
                }
            }
            default -> {
                problems.add(p.at("kind"), "unknown provider kind `" + kind.get() + "`",
                        Hints.didYouMean(kind.get(), List.of("vsphere", "command")));
                p.allow("url", "user", "passwordEnv", "trustStore", "start", "stop", "status", "running", "stopped");
                out = Optional.empty();
            }
        }
        p.done();
        return out;
    }
}
