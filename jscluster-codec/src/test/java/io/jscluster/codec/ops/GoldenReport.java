package io.jscluster.codec.ops;

import java.util.ArrayList;
import java.util.List;

/** Collects golden-vector failures so every case runs and all failures are reported together. */
public final class GoldenReport {

  private final String family;
  private final List<String> failures = new ArrayList<>();
  private int cases;

  /** A report for one vectors family. */
  public GoldenReport(String family) {
    this.family = family;
  }

  /** A check on one case; may throw. */
  @FunctionalInterface
  public interface Check {
    /** Runs the check. */
    void run() throws Exception;
  }

  /** Counts a case. */
  public void countCase() {
    cases++;
  }

  /** Runs one check of a case, recording (not throwing) its failure. */
  public void check(String caseName, String what, Check check) {
    try {
      check.run();
    } catch (Throwable t) {
      failures.add(caseName + " [" + what + "]: " + t);
    }
  }

  /** Records a failure. */
  public void fail(String caseName, String message) {
    failures.add(caseName + ": " + message);
  }

  /** Prints the summary line and throws if anything failed or no case ran. */
  public void finish() {
    System.out.println("golden " + family + ": " + cases + " cases, " + failures.size() + " failures");
    if (cases == 0) {
      throw new AssertionError("golden " + family + ": no cases found");
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("golden " + family + ": " + failures.size() + " failures:\n  "
          + String.join("\n  ", failures));
    }
  }
}
