package io.portproof.cli;

import io.portproof.probe.ProgressListener;
import java.io.PrintStream;

/** A one-line progress counter on a terminal; nothing on a pipe, so logs stay clean. */
final class Progress {
  private Progress() {}

  static ProgressListener on(PrintStream err, String what) {
    if (System.console() == null) {
      return ProgressListener.NONE;
    }
    return (finished, total) -> {
      synchronized (err) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) finished * width / total);
        err.printf("\r%s [%s%s] %d/%d", what, "#".repeat(filled), " ".repeat(width - filled), finished, total);
        if (finished == total) {
          err.println();
        }
        err.flush();
      }
    };
  }
}
