package io.jscluster.core.sync;

import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.core.store.StreamStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A tiny single-threaded message loop in virtual time connecting catch-up machines: subjects,
 * subscriptions (a trailing {@code .*} matches one token), delivery after a latency, optional
 * loss and reordering from a seeded random, and the machines' timers.
 */
final class CatchupLoop {

  /** A delivered message. */
  record Msg(String subject, String reply, byte[] payload) {}

  interface Handler {
    void handle(String subject, String reply, byte[] payload);
  }

  private record Event(long time, long order, Runnable action) {}

  private final PriorityQueue<Event> events =
      new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time)
          : Long.compare(a.order, b.order));
  private final Map<String, Handler> subs = new HashMap<>();
  private final List<FollowerCatchup> followers = new ArrayList<>();
  private final List<LeaderCatchup> leaders = new ArrayList<>();
  /** Every message published, in publish order (a wiretap). */
  final List<Msg> published = new ArrayList<>();
  final SplittableRandom random;
  long now = 1_000_000_000L;
  long order;
  long latencyNanos = 100_000; // 0.1 ms
  double loss;
  double reorder;
  boolean tap = true;

  CatchupLoop(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A transport bound to this loop; subscriptions route to {@code handler}. */
  CatchupTransport transport(Handler handler) {
    return new CatchupTransport() {
      @Override
      public void publish(String subject, String reply, byte[] payload) {
        CatchupLoop.this.publish(subject, reply, payload);
      }

      @Override
      public void subscribe(String subject) {
        subs.put(subject, handler);
      }

      @Override
      public void unsubscribe(String subject) {
        subs.remove(subject);
      }
    };
  }

  void subscribe(String subject, Handler h) {
    subs.put(subject, h);
  }

  void publish(String subject, String reply, byte[] payload) {
    if (tap) {
      published.add(new Msg(subject, reply, payload));
    }
    if (loss > 0 && random.nextDouble() < loss) {
      return;
    }
    long delay = latencyNanos;
    if (reorder > 0 && random.nextDouble() < reorder) {
      delay += random.nextLong(20 * latencyNanos);
    }
    schedule(now + delay, () -> deliver(subject, reply, payload));
  }

  void schedule(long at, Runnable r) {
    events.add(new Event(at, order++, r));
  }

  /** Runs {@code r} as soon as possible (after what is already due now). */
  void soon(Runnable r) {
    schedule(now, r);
  }

  private void deliver(String subject, String reply, byte[] payload) {
    Handler h = subs.get(subject);
    if (h == null) {
      int dot = subject.lastIndexOf('.');
      if (dot > 0) {
        h = subs.get(subject.substring(0, dot) + ".*");
      }
    }
    if (h != null) {
      h.handle(subject, reply, payload);
    }
  }

  void add(FollowerCatchup f) {
    followers.add(f);
  }

  List<LeaderCatchup> leaders() {
    return leaders;
  }

  void add(LeaderCatchup l) {
    leaders.add(l);
  }

  /**
   * Serves catch-ups from {@code store} on {@code syncSubject}, as a stream leader's sync
   * subscription does; every run is created with {@code cfg} and added to {@link #leaders}.
   */
  List<LeaderCatchup> serve(String syncSubject, CatchupConfig cfg, SyncSubjects subjects,
      CatchupBudget budget, LeaderCatchup.Stream stream, LeaderCatchup.Node node) {
    List<LeaderCatchup> runs = new ArrayList<>();
    subscribe(syncSubject, (s, reply, payload) -> {
      StreamSyncRequest req = LeaderCatchup.parseRequest(payload);
      if (req == null) {
        return;
      }
      LeaderCatchup[] holder = new LeaderCatchup[1];
      CatchupTransport t = transport((subj, r, p) -> holder[0].onAck(subj, p, now));
      holder[0] = new LeaderCatchup(cfg, subjects, budget, t, stream, node, reply, req,
          () -> soon(() -> holder[0].onWake(now)));
      runs.add(holder[0]);
      add(holder[0]);
      holder[0].start(now);
    });
    return runs;
  }

  /** Runs until {@code done} holds or virtual time passes {@code limitNanos}; true if done. */
  boolean runUntil(BooleanSupplier done, long limitNanos) {
    long end = now + limitNanos;
    while (!done.getAsBoolean()) {
      long next = Long.MAX_VALUE;
      Event e = events.peek();
      if (e != null) {
        next = e.time;
      }
      for (FollowerCatchup f : followers) {
        next = Math.min(next, f.deadline());
      }
      for (LeaderCatchup l : leaders) {
        next = Math.min(next, l.deadline());
      }
      if (next == Long.MAX_VALUE || next > end) {
        now = Math.max(now, Math.min(end, next));
        return done.getAsBoolean();
      }
      now = Math.max(now, next);
      while ((e = events.peek()) != null && e.time <= now) {
        events.poll().action.run();
      }
      for (FollowerCatchup f : List.copyOf(followers)) {
        if (f.deadline() <= now) {
          f.tick(now);
        }
      }
      for (LeaderCatchup l : List.copyOf(leaders)) {
        if (l.deadline() <= now) {
          l.tick(now);
        }
      }
      followers.removeIf(FollowerCatchup::isDone);
      leaders.removeIf(LeaderCatchup::isDone);
    }
    return true;
  }

  /** Messages published to subjects starting with {@code prefix}. */
  List<Msg> publishedTo(String prefix) {
    List<Msg> out = new ArrayList<>();
    for (Msg m : published) {
      if (m.subject.startsWith(prefix)) {
        out.add(m);
      }
    }
    return out;
  }

  /** A follower-side replica over {@code store} whose lseq follows what the catch-up applies. */
  static final class TestReplica implements FollowerCatchup.Replica {
    final StreamStore store;
    final String sync;
    long lseq;
    long failed;
    boolean active = true;
    boolean exceeded;
    final Map<String, Long> msgIds = new HashMap<>();
    int ended;

    TestReplica(StreamStore store, String sync) {
      this.store = store;
      this.sync = sync;
      this.lseq = store.state().lastSeq();
    }

    @Override
    public StreamStore store() {
      return store;
    }

    @Override
    public long lastSeq() {
      return lseq;
    }

    @Override
    public void setLastSeq(long seq) {
      lseq = seq;
    }

    @Override
    public void setFailed(long f) {
      failed = f;
    }

    @Override
    public boolean active() {
      return active;
    }

    @Override
    public String syncSubject() {
      return sync;
    }

    @Override
    public boolean resourcesExceeded() {
      return exceeded;
    }

    @Override
    public void recordMsgId(String msgId, long seq, long tsNanos) {
      msgIds.put(msgId, seq);
    }

    @Override
    public void catchupEnded() {
      ended++;
    }

    /** Write-back requests, accepted or not; and the last sequence stored at each. */
    final List<Long> writeBackAsks = new ArrayList<>();
    /** Whether {@link #startWriteBack} accepts (a background force could start). */
    boolean writeBackAccepts;
    int writeBacksAccepted;
    int writeBackAsksAfterEnd;

    @Override
    public boolean startWriteBack() {
      writeBackAsks.add(store.state().lastSeq());
      if (ended > 0) {
        writeBackAsksAfterEnd++;
      }
      if (writeBackAccepts) {
        writeBacksAccepted++;
      }
      return writeBackAccepts;
    }
  }

  /** A follower's Raft node stand-in. */
  static final class TestNode implements FollowerCatchup.Node {
    String id = "flwr0001";
    boolean leaderless;
    boolean leader;
    int paused;
    int resumed;
    int stepDowns;
    /** When set, a step-down does not end this node's leadership (another election made it leader again). */
    boolean stickyLeader;

    @Override
    public String id() {
      return id;
    }

    @Override
    public boolean leaderless() {
      return leaderless;
    }

    @Override
    public boolean isLeader() {
      return leader;
    }

    @Override
    public boolean pauseApply() {
      if (leader) {
        return false;
      }
      paused++;
      return true;
    }

    @Override
    public void resumeApply() {
      resumed++;
    }

    @Override
    public void stepDown() {
      stepDowns++;
      leader = stickyLeader;
    }
  }

  /** A leader stream stand-in. */
  static final class TestStream implements LeaderCatchup.Stream {
    final StreamStore store;
    final CatchupPeers peers = new CatchupPeers();
    boolean stopped;

    TestStream(StreamStore store) {
      this.store = store;
    }

    @Override
    public StreamStore store() {
      return store;
    }

    @Override
    public CatchupPeers catchupPeers() {
      return peers;
    }

    @Override
    public boolean stopped() {
      return stopped;
    }
  }

  /** A leader's Raft node stand-in. */
  static final class TestLeaderNode implements LeaderCatchup.Node {
    long index = 1_000_000;
    long applied = 1_000_000;
    int stepDowns;
    int snapshots;

    @Override
    public long index() {
      return index;
    }

    @Override
    public long applied() {
      return applied;
    }

    @Override
    public void stepDown() {
      stepDowns++;
    }

    @Override
    public void reinstallSnapshot() {
      snapshots++;
    }
  }
}
