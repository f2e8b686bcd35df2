package io.portproof.analysis;

import io.portproof.model.fw.Match;
import io.portproof.model.fw.Ruleset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Interface names as a finite set of classes, so an interface condition splits a box like any other field. The
 * classes are: no interface (locally generated packets), every name the rules mention, for every wildcard
 * prefix one "some other name with this prefix", and one "any other name". That is exact: two interfaces in
 * the same class match exactly the same rules.
 */
final class InterfaceDomain {
  /** A character no interface name can contain, so synthetic class names never collide with real ones. */
  private static final char OTHER = '\u0001';

  private final List<String> classes;

  private InterfaceDomain(List<String> classes) {
    this.classes = List.copyOf(classes);
  }

  static InterfaceDomain of(List<Ruleset> rulesets, List<String> extraNames) {
    Set<String> names = new LinkedHashSet<>();
    names.add("");
    names.add("lo");
    Set<String> prefixes = new LinkedHashSet<>();
    for (Ruleset rs : rulesets) {
      rs.chains().values().forEach(c -> c.rules().forEach(r -> r.matches().forEach(m -> {
        if (m instanceof Match.Interface i) {
          for (String p : i.patterns()) {
            if (p.endsWith("+")) {
              prefixes.add(p.substring(0, p.length() - 1));
            } else {
              names.add(p);
            }
          }
        }
      })));
    }
    names.addAll(extraNames);
    List<String> classes = new ArrayList<>(names);
    for (String p : prefixes) {
      classes.add(p + OTHER);
    }
    classes.add(String.valueOf(OTHER));
    if (classes.size() > 63) {
      throw new IllegalStateException(
          "the rules name " + classes.size() + " interfaces and wildcards; portproof handles up to 63");
    }
    return new InterfaceDomain(classes);
  }

  /** Every external interface: all classes but "none" and loopback. */
  long external() {
    long all = (1L << classes.size()) - 1;
    return all & ~bit("") & ~bit("lo");
  }

  long none() {
    return bit("");
  }

  /** The class of a concrete interface name. */
  long classOf(String name) {
    int exact = classes.indexOf(name);
    if (exact >= 0) {
      return 1L << exact;
    }
    String best = null;
    for (String c : classes) {
      if (c.length() > 1 && c.charAt(c.length() - 1) == OTHER) {
        String prefix = c.substring(0, c.length() - 1);
        if (name.startsWith(prefix) && (best == null || prefix.length() > best.length() - 1)) {
          best = c;
        }
      }
    }
    return bit(best != null ? best : String.valueOf(OTHER));
  }

  /** The classes any of the patterns match; a trailing + is a prefix wildcard, as in iptables and nft. */
  long matching(List<String> patterns) {
    long mask = 0;
    for (int i = 0; i < classes.size(); i++) {
      String c = classes.get(i);
      if (c.isEmpty()) {
        continue;
      }
      for (String p : patterns) {
        boolean hit = p.endsWith("+") ? c.startsWith(p.substring(0, p.length() - 1)) : c.equals(p);
        if (hit) {
          mask |= 1L << i;
          break;
        }
      }
    }
    return mask;
  }

  /** Names of the classes in a mask, synthetic ones spelled for people. */
  List<String> describe(long mask) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < classes.size(); i++) {
      if ((mask & (1L << i)) != 0) {
        String c = classes.get(i);
        if (c.isEmpty()) {
          out.add("(none)");
        } else if (c.charAt(c.length() - 1) == OTHER) {
          out.add(c.length() == 1 ? "(any other interface)" : c.substring(0, c.length() - 1) + "* (other)");
        } else {
          out.add(c);
        }
      }
    }
    return out;
  }

  private long bit(String name) {
    int i = classes.indexOf(name);
    return i < 0 ? 0 : 1L << i;
  }
}
