package io.jscluster.bench.demo;

import java.io.PrintStream;

/**
 * One live status line. On a terminal it is redrawn in place (carriage return) about ten times a
 * second; when the output is captured (no console), a full line is written every five seconds so a
 * log keeps a readable trace. {@link #done} always ends with the final state on its own line.
 */
final class Progress {

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean tty;
  private final long intervalNanos;
  private long lastPrint;
  private int lastLength;

  /** A line on {@code out}; {@code tty} chooses in-place redraws. */
  Progress(PrintStream out, boolean tty) {
    this.out = out;
    this.tty = tty;
    this.intervalNanos = tty ? 100_000_000L : 5_000_000_000L;
    this.lastPrint = System.nanoTime();
  }

  /** A bar of {@code done} out of {@code total}, e.g. {@code [#########.........]  48%}. */
  static String bar(long done, long total) {
    double f = total <= 0 ? 1 : Math.min(1, Math.max(0, (double) done / total));
    int full = (int) Math.round(f * WIDTH);
    return "[" + "#".repeat(full) + ".".repeat(WIDTH - full) + "] " + String.format("%3d%%", (int) (f * 100));
  }

  /** Shows {@code line} if the refresh interval has passed. */
  void update(String line) {
    long now = System.nanoTime();
    if (now - lastPrint < intervalNanos) {
      return;
    }
    lastPrint = now;
    if (tty) {
      String pad = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
      out.print("\r" + line + pad);
      lastLength = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Shows {@code line} as the final state and ends the line. */
  void done(String line) {
    if (tty) {
      String pad = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
      out.print("\r" + line + pad + System.lineSeparator());
    } else {
      out.println(line);
    }
    out.flush();
    lastLength = 0;
  }
}
