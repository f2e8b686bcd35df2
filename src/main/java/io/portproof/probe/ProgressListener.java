package io.portproof.probe;

/**
 * Told each time a target's probe finishes. Called from prober threads, one call at a time, with
 * {@code finished} increasing by one per call.
 */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (finished, total) -> {};

  void done(int finished, int total);
}
