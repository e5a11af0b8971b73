package dev.dispatcher.tools.fuzz;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/** How often each kind is drawn: integer weights, a kind of weight 0 never comes. */
public final class Mix {

  private final EnumMap<Kind, Integer> weights;
  private final int total;

  private Mix(EnumMap<Kind, Integer> weights) {
    this.weights = weights;
    this.total = weights.values().stream().mapToInt(Integer::intValue).sum();
    if (total <= 0) {
      throw new IllegalArgumentException("a mix needs at least one kind with a weight above 0");
    }
  }

  /** Every kind at its {@link Kind#defaultWeight()}: about one message in ten is a valid task. */
  public static Mix standard() {
    EnumMap<Kind, Integer> weights = new EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      weights.put(kind, kind.defaultWeight());
    }
    return new Mix(weights);
  }

  /** This mix without these kinds (to find out which kind a failure comes from). */
  public Mix without(Collection<Kind> kinds) {
    EnumMap<Kind, Integer> copy = new EnumMap<>(weights);
    kinds.forEach(kind -> copy.put(kind, 0));
    return new Mix(copy);
  }

  public int weight(Kind kind) {
    return weights.getOrDefault(kind, 0);
  }

  public Map<Kind, Integer> weights() {
    return Map.copyOf(weights);
  }

  Kind draw(RandomGenerator random) {
    int ticket = random.nextInt(total);
    for (Map.Entry<Kind, Integer> entry : weights.entrySet()) {
      ticket -= entry.getValue();
      if (ticket < 0) {
        return entry.getKey();
      }
    }
    throw new IllegalStateException("weights changed under the draw");
  }
}
