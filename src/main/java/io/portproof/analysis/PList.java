package io.portproof.analysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A persistent singly-linked list: boxes split thousands of times share their trace and taint history instead
 * of copying it.
 */
final class PList<T> {
  private static final PList<?> EMPTY = new PList<>(null, null, 0);

  private final T head;
  private final PList<T> tail;
  private final int size;

  private PList(T head, PList<T> tail, int size) {
    this.head = head;
    this.tail = tail;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  static <T> PList<T> empty() {
    return (PList<T>) EMPTY;
  }

  PList<T> prepend(T value) {
    return new PList<>(value, this, size + 1);
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Elements oldest first. */
  List<T> toList() {
    List<T> out = new ArrayList<>(size);
    for (PList<T> p = this; p.size > 0; p = p.tail) {
      out.add(p.head);
    }
    Collections.reverse(out);
    return out;
  }
}
