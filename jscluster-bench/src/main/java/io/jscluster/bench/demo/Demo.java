package io.jscluster.bench.demo;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.info.ClusterInfo;
import io.jscluster.core.info.PeerInfo;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamState;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The jscluster demo: a cluster of {@link io.jscluster.core.ClusterNode}s in this JVM, in real time,
 * on the embedded defaults. It creates a replicated stream, publishes to it with a live progress
 * bar, stops a follower, publishes more, restarts the follower and shows it catch up, prints the
 * stream's cluster info and the end-to-end figures, and finally checks every replica message by
 * message. The process exits with status 1 if any check fails, 2 on bad options.
 *
 * <p>Options: {@code --size N} payload bytes (default 128, at least 8), {@code --count N} messages
 * per publish phase (default 200,000), {@code --replicas R} (2..5, default 3; the cluster has
 * {@code max(3, R)} nodes), {@code --window W} publishes in flight (default 256), {@code --file}
 * (file stores in a temporary folder instead of memory), {@code --help}.
 */
public final class Demo {

  private static final String STREAM = "DEMO";
  private static final String SUBJECT = "demo.msgs";

  private final Options opt;
  private final PrintStream out;
  private final boolean tty;
  private final List<String> failures = new ArrayList<>();

  private Demo(Options opt, PrintStream out, boolean tty) {
    this.opt = opt;
    this.out = out;
    this.tty = tty;
  }

  /** The demo's options. */
  record Options(int size, long count, int replicas, int window, boolean file) {

    /** The defaults: 128 B, 200,000 per phase, R3, window 256, memory stores. */
    static Options defaults() {
      return new Options(128, 200_000, 3, 256, false);
    }

    /** Parses command-line arguments over the defaults. */
    static Options parse(String[] args) {
      Options o = defaults();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--file" -> o = new Options(o.size, o.count, o.replicas, o.window, true);
          case "--size" -> o = new Options(intArg(args, ++i, a, 8, 1 << 20), o.count, o.replicas, o.window, o.file);
          case "--count" -> o = new Options(o.size, intArg(args, ++i, a, 1, 10_000_000), o.replicas, o.window, o.file);
          case "--replicas" -> o = new Options(o.size, o.count, intArg(args, ++i, a, 2, 5), o.window, o.file);
          case "--window" -> o = new Options(o.size, o.count, o.replicas, intArg(args, ++i, a, 1, 65_536), o.file);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      return o;
    }

    private static int intArg(String[] args, int i, String name, int min, int max) {
      if (i >= args.length) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      int v;
      try {
        v = Integer.parseInt(args[i].replace("_", "").replace(",", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " needs a number, got " + args[i]);
      }
      if (v < min || v > max) {
        throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }
  }

  /** Runs the demo and exits with its status; see the class comment for options and status. */
  public static void main(String[] args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // The library logs through slf4j; keep the demo's screen for the demo.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    System.exit(run(args, System.out, System.err, System.console() != null));
  }

  /**
   * Runs the demo with {@code args}, writing to {@code out} (errors to {@code err}), and returns
   * the exit status: 0 when every check passed, 1 when one failed or the run broke, 2 on bad
   * options.
   *
   * @param tty whether {@code out} is a terminal (live lines are then redrawn in place)
   */
  public static int run(String[] args, PrintStream out, PrintStream err, boolean tty) {
    Locale.setDefault(Locale.ROOT);
    Options opt;
    try {
      if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
        usage(out);
        return 0;
      }
      opt = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      usage(err);
      return 2;
    }
    try {
      return new Demo(opt, out, tty).run();
    } catch (RuntimeException e) {
      out.flush();
      err.println("demo failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  private static void usage(PrintStream s) {
    s.println("usage: Demo [--size BYTES] [--count N] [--replicas R] [--window W] [--file]");
    s.println("  --size BYTES   payload bytes per message (default 128, min 8)");
    s.println("  --count N      messages per publish phase (default 200000)");
    s.println("  --replicas R   stream replicas, 2..5 (default 3); the cluster has max(3, R) nodes");
    s.println("  --window W     publishes in flight (default 256)");
    s.println("  --file         file stores in a temporary folder (default: memory stores)");
  }

  private int run() {
    long t0 = System.nanoTime();
    int nodes = Math.max(3, opt.replicas());
    StorageType storage = opt.file() ? StorageType.FILE : StorageType.MEMORY;
    out.printf("jscluster demo: %d nodes in one JVM (real time, in-memory network), stream %s R%d, %s stores,%n",
        nodes, STREAM, opt.replicas(), opt.file() ? "file" : "memory");
    out.printf("%,d + %,d messages of %,d B, %d publishes in flight, %d CPUs%n%n", opt.count(), opt.count(),
        opt.size(), opt.window(), Runtime.getRuntime().availableProcessors());
    try (DemoCluster c = new DemoCluster(nodes, opt.file())) {
      if (c.directory() != null) {
        out.println("file stores under " + c.directory());
      }
      // 1. Start.
      long s = System.nanoTime();
      for (String n : c.names()) {
        c.start(n);
      }
      String meta = c.awaitMetaLeader();
      double startSecs = secs(s);
      out.printf("[1/6] started %s; meta leader %s elected after %.1f s%n", String.join(", ", c.names()), meta,
          startSecs);

      // 2. Stream.
      s = System.nanoTime();
      String leader = c.createStream(STREAM, SUBJECT, opt.replicas(), storage);
      List<String> replicas = c.replicaNames(leader, STREAM);
      String follower = replicas.stream().filter(n -> !n.equals(leader)).reduce((a, b) -> b).orElseThrow();
      out.printf("[2/6] stream %s (R%d, %s) on %s; leader %s (%.1f s)%n", STREAM, opt.replicas(),
          storage.name().toLowerCase(Locale.ROOT), String.join(", ", replicas), leader, secs(s));

      // 3. Publish with every replica up.
      long total = 2 * opt.count();
      Publisher pub = new Publisher(c, leader, STREAM, SUBJECT, opt.size(), opt.window());
      out.printf("[3/6] publishing %,d messages to %s%n", opt.count(), leader);
      long p1 = pub.publish(0, opt.count(), "publish ", new Progress(out, tty));

      // 4. Stop a follower and publish more.
      // Stop the follower once it holds everything so far, so the gap is exactly the next phase.
      long phase1Last = c.lastSeq(leader, STREAM);
      long phase1Commit = c.call(leader, n -> n.replica(STREAM).host().node().commitIndex());
      DemoCluster.await(() -> c.isCurrent(follower, STREAM, phase1Last, phase1Commit), follower + " to be current");
      long followerSeqAtStop = c.lastSeq(follower, STREAM);
      c.stop(follower);
      out.printf("[4/6] stopped follower %s (it holds %,d messages); publishing %,d more%n", follower,
          followerSeqAtStop, opt.count());
      long p2 = pub.publish(opt.count(), opt.count(), "publish ", new Progress(out, tty));
      if (pub.failed() > 0) {
        fail(pub.failed() + " publishes failed, first: " + pub.firstFailure());
      }

      // 5. Restart the follower and watch it catch up.
      long target = c.lastSeq(leader, STREAM);
      long commit = c.call(leader, n -> n.replica(STREAM).host().node().commitIndex());
      out.printf("[5/6] restarting %s: catching up to sequence %,d%n", follower, target);
      long cs = System.nanoTime();
      c.start(follower);
      long catchupStart = Math.max(0, Math.min(followerSeqAtStop, target));
      Progress cp = new Progress(out, tty);
      while (!c.isCurrent(follower, STREAM, target, commit)) {
        long have = c.lastSeq(follower, STREAM);
        cp.update(catchupLine(have, catchupStart, target, System.nanoTime() - cs));
        if (System.nanoTime() - cs > DemoCluster.WAIT_MILLIS * 1_000_000L) {
          throw new IllegalStateException("timed out waiting for " + follower + " to catch up");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      }
      long catchupNanos = System.nanoTime() - cs;
      cp.done(catchupLine(target, catchupStart, target, catchupNanos));

      // 6. Cluster info, as the stream leader reports it once every replica is current.
      ClusterInfo ci = awaitClusterInfo(c, leader);
      out.printf("[6/6] cluster info of %s (from its leader %s)%n", STREAM, leader);
      out.print(ClusterTable.render(ci));
      for (PeerInfo p : ci.replicas()) {
        if (!p.current() || p.lag() != 0) {
          fail("cluster info: replica " + p.name() + " not current (lag " + p.lag() + ")");
        }
      }

      // Checks: every replica holds every message, in order, byte for byte the same.
      out.println();
      out.println("replica check (every message loaded and compared on every replica)");
      out.printf("  %-8s %10s %14s %10s %10s  %-10s %s%n", "server", "messages", "bytes", "first", "last",
          "crc32c", "result");
      Map<String, Check> checks = new LinkedHashMap<>();
      for (String n : replicas) {
        Check ch = check(c, n, total);
        checks.put(n, ch);
        out.printf("  %-8s %,10d %,14d %,10d %,10d  %08x   %s%n", n, ch.state.msgs(), ch.state.bytes(),
            ch.state.firstSeq(), ch.state.lastSeq(), ch.crc, ch.problem == null ? "ok" : ch.problem);
        if (ch.problem != null) {
          fail(n + ": " + ch.problem);
        }
      }
      Check ref = checks.get(leader);
      for (Map.Entry<String, Check> e : checks.entrySet()) {
        Check ch = e.getValue();
        if (!ch.state.equals(ref.state) || ch.crc != ref.crc) {
          fail(e.getKey() + " differs from the leader " + leader);
        }
      }

      // Figures.
      out.println();
      out.println("end-to-end figures");
      out.printf("  %-32s %10s %9s %11s %9s%n", "phase", "messages", "seconds", "msgs/s", "MB/s");
      row("publish, all replicas up", opt.count(), p1);
      row("publish, " + follower + " down", opt.count(), p2);
      row("catch-up of " + follower, target - catchupStart, catchupNanos);
      out.printf("  %-32s %10s %9.1f%n", "start-up and meta election", "", startSecs);
      out.printf("  %-32s %10s %9.1f%n", "whole run", "", secs(t0));
    }
    out.println();
    if (failures.isEmpty()) {
      out.println("all checks passed");
      return 0;
    }
    out.println("FAILED checks:");
    for (String f : failures) {
      out.println("  - " + f);
    }
    return 1;
  }

  private ClusterInfo awaitClusterInfo(DemoCluster c, String leader) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    ClusterInfo ci;
    while (true) {
      ci = c.call(leader, n -> n.clusterInfo(STREAM));
      boolean all = ci.replicas().stream().allMatch(p -> p.current() && p.lag() == 0);
      if (all || System.nanoTime() > deadline) {
        return ci;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
    }
  }

  private String catchupLine(long have, long from, long target, long nanos) {
    long done = Math.max(0, have - from);
    double secs = Math.max(nanos, 1) / 1e9;
    return String.format("  catch-up %s %,9d msgs %,9.0f msgs/s %7.2f MB/s  lag %,d", Progress.bar(done, target - from),
        done, done / secs, done * (double) opt.size() / 1e6 / secs, Math.max(0, target - have));
  }

  private void row(String phase, long msgs, long nanos) {
    double secs = nanos / 1e9;
    out.printf("  %-32s %,10d %9.1f %,11.0f %9.2f%n", phase, msgs, secs, msgs / secs,
        msgs * (double) opt.size() / 1e6 / secs);
  }

  private void fail(String what) {
    failures.add(what);
  }

  private static double secs(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** What one replica holds. */
  private record Check(StreamState state, long crc, String problem) {}

  /**
   * Loads every message of {@code node}'s replica (on its thread, in chunks so its Raft timers keep
   * running) and checks that sequence {@code s} holds message {@code s - 1} and that there are
   * exactly {@code expected} of them; the CRC-32C covers every subject and payload in order.
   */
  private Check check(DemoCluster c, String node, long expected) {
    StreamState st = c.call(node, n -> n.replica(STREAM).store().state());
    CRC32C crc = new CRC32C();
    long[] problems = new long[3]; // missing, misplaced, first bad sequence
    byte[] subject = SUBJECT.getBytes(StandardCharsets.UTF_8);
    long last = st.lastSeq();
    for (long from = 1; from <= last; from += 4096) {
      long lo = from;
      long hi = Math.min(last, from + 4095);
      c.call(node, n -> {
        for (long seq = lo; seq <= hi; seq++) {
          StoredMessage m = n.getMessage(STREAM, seq);
          if (m == null) {
            problems[0]++;
            if (problems[2] == 0) {
              problems[2] = seq;
            }
            continue;
          }
          if (m.data().length != opt.size() || Publisher.indexOf(m.data()) != seq - 1
              || !m.subject().equals(SUBJECT)) {
            problems[1]++;
            if (problems[2] == 0) {
              problems[2] = seq;
            }
          }
          crc.update(subject);
          crc.update(m.data());
        }
        return null;
      });
    }
    String problem = null;
    if (st.msgs() != expected || st.lastSeq() != expected) {
      problem = String.format("holds %,d messages up to sequence %,d, expected %,d", st.msgs(), st.lastSeq(),
          expected);
    } else if (problems[0] + problems[1] > 0) {
      problem = String.format("%,d missing and %,d wrong messages, first at sequence %,d", problems[0],
          problems[1], problems[2]);
    }
    return new Check(st, crc.getValue(), problem);
  }
}
