package dev.dispatcher.tools.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which the sides of one round run: round 1 starts with the first side, round 2 with
 * the second, and so on around, so that no side always runs first (on a cold cache) or always
 * right after a given other one. With two sides this is the throughput rounds' rule: the ceiling
 * first in odd rounds, the dispatcher first in even ones.
 */
final class Rotation {

  private Rotation() {}

  /** Indexes 0 to sides - 1 in the order round {@code round} (from 1) runs them. */
  static List<Integer> order(int round, int sides) {
    if (round < 1 || sides < 1) {
      throw new IllegalArgumentException("round and sides start at 1: " + round + ", " + sides);
    }
    List<Integer> order = new ArrayList<>(sides);
    int first = (round - 1) % sides;
    for (int i = 0; i < sides; i++) {
      order.add((first + i) % sides);
    }
    return order;
  }
}
