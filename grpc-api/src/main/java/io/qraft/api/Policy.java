package io.qraft.api;

import io.qraft.api.log.v1.PolicyDef;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One operator policy: a name, a Java regular expression on queue names, what
 * it applies to, a priority and a {@link PolicyDefinition}. Constructed only
 * valid; {@link #toDef()} is the form the metadata stores.
 *
 * <p>The pattern is found anywhere in a queue name, as in RabbitMQ: anchor it
 * ({@code ^orders\.}) to match from the start.
 *
 * <p>Immutable; thread-safe.
 */
public final class Policy {
  /** The only kind of object a policy applies to for now. */
  public static final String APPLY_TO_QUEUES = "queues";
  private static final int MAX_NAME_BYTES = 255;

  private final String name;
  private final Pattern pattern;
  private final String applyTo;
  private final int priority;
  private final PolicyDefinition definition;

  /** @throws IllegalArgumentException with a sentence saying what to change */
  public Policy(String name, String pattern, String applyTo, int priority, PolicyDefinition definition) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a policy needs a name");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("policy name is longer than " + MAX_NAME_BYTES + " bytes");
    }
    if (!APPLY_TO_QUEUES.equals(applyTo)) {
      throw new IllegalArgumentException("a policy can apply to queues only, not '" + applyTo + "': use --apply-to queues");
    }
    try {
      this.pattern = Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("pattern '" + pattern + "' is not a valid Java regular expression: "
          + e.getDescription() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
    }
    this.name = name;
    this.applyTo = applyTo;
    this.priority = priority;
    this.definition = java.util.Objects.requireNonNull(definition);
  }

  /**
   * A policy from its stored form, re-validated.
   *
   * @throws IllegalArgumentException as the constructor and {@link PolicyDefinition#fromValues}
   */
  public static Policy fromDef(PolicyDef def) {
    return new Policy(def.getName(), def.getPattern(), def.getApplyTo(), def.getPriority(),
        PolicyDefinition.fromValues(def.getDefinitionMap()));
  }

  public PolicyDef toDef() {
    return PolicyDef.newBuilder().setName(name).setPattern(pattern.pattern()).setApplyTo(applyTo)
        .setPriority(priority).putAllDefinition(definition.values()).build();
  }

  /** True when the pattern is found in the queue's name. */
  public boolean matches(String queue) {
    return pattern.matcher(queue).find();
  }

  public String name() {
    return name;
  }

  public String pattern() {
    return pattern.pattern();
  }

  public String applyTo() {
    return applyTo;
  }

  public int priority() {
    return priority;
  }

  public PolicyDefinition definition() {
    return definition;
  }

  @Override
  public String toString() {
    return "policy " + name + " (" + pattern.pattern() + ", priority " + priority + "): " + definition;
  }
}
