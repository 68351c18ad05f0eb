package io.jscluster.core.stream;

import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.core.Scheduler;
import io.jscluster.core.store.Damage;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.sync.CatchupBudget;
import io.jscluster.core.sync.CatchupConfig;
import io.jscluster.core.sync.CatchupPeers;
import io.jscluster.core.sync.LeaderCatchup;
import io.jscluster.core.sync.RepairFetch;
import io.jscluster.core.sync.SyncSubjects;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catch-up traffic of one replica, driving the {@code core.sync} machines on the node's
 * logical thread: as stream leader it subscribes the stream's sync subject and serves each sync
 * request with a {@link LeaderCatchup} (stopped, and the catch-up peers cleared, when leadership
 * ends); as any replica it repairs ranges its store reports damaged with a {@link RepairFetch}
 * from the leader. The follower catch-up behind a Raft snapshot is not driven here: it needs
 * Raft snapshot installation, which the Raft core does not offer yet.
 */
final class StreamSync {

  private static final Logger LOG = LoggerFactory.getLogger(StreamSync.class);

  private final Transport transport;
  private final Scheduler scheduler;
  private final CatchupConfig cfg;
  private final CatchupBudget budget;
  private final SyncSubjects subjects;
  private final StreamStore store;
  private final String nodeId;
  private final String streamName;
  private final CatchupPeers peers = new CatchupPeers();
  private final List<Run> runs = new ArrayList<>();
  private final List<Fetch> fetches = new ArrayList<>();
  private Subscription syncSub;
  private String syncSubject;
  private boolean stopped;
  private long repaired;

  private final class Run {
    LeaderCatchup machine;
    SyncEndpoint endpoint;
    DeadlineTimer timer;
  }

  private final class Fetch {
    RepairFetch machine;
    SyncEndpoint endpoint;
    DeadlineTimer timer;
  }

  StreamSync(Transport transport, Scheduler scheduler, CatchupBudget budget, RandomGenerator random,
      StreamStore store, String nodeId, String streamName) {
    this.transport = transport;
    this.scheduler = scheduler;
    this.cfg = CatchupConfig.DEFAULT;
    this.budget = budget;
    this.subjects = new SyncSubjects(random);
    this.store = store;
    this.nodeId = nodeId;
    this.streamName = streamName;
  }

  CatchupPeers peers() {
    return peers;
  }

  long repairedRanges() {
    return repaired;
  }

  int activeRepairs() {
    return (int) fetches.stream().filter(f -> !f.machine.isDone()).count();
  }

  private long nanos() {
    return scheduler.nowMillis() * 1_000_000L;
  }

  /** Leadership changed: start or stop serving {@code sync}. */
  void leader(boolean isLeader, String sync, LeaderCatchup.Node node) {
    if (stopped) {
      return;
    }
    if (isLeader && syncSub == null && !sync.isEmpty()) {
      syncSubject = sync;
      syncSub = transport.subscribe(sync, (s, r, p) -> scheduler.execute(() -> serve(r, p, node)));
    } else if (!isLeader) {
      stopServing();
    }
  }

  private void stopServing() {
    if (syncSub != null) {
      syncSub.unsubscribe();
      syncSub = null;
    }
    for (Run r : runs) {
      r.machine.stop();
      close(r);
    }
    runs.clear();
    peers.clearAll();
  }

  private void serve(String inbox, byte[] payload, LeaderCatchup.Node node) {
    if (stopped || syncSub == null || inbox == null || inbox.isEmpty()) {
      return;
    }
    StreamSyncRequest req = LeaderCatchup.parseRequest(payload);
    if (req == null) {
      return;
    }
    supersede(req.peer());
    Run run = new Run();
    run.timer = new DeadlineTimer(scheduler, () -> {
      run.machine.tick(nanos());
      afterRun(run);
    });
    LeaderCatchup.Stream stream = new LeaderCatchup.Stream() {
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
    };
    run.endpoint = new SyncEndpoint(transport, scheduler, (SyncEndpoint.BatchSink) acks -> {
      run.machine.onAcks(acks, nanos());
      afterRun(run);
    });
    run.machine = new LeaderCatchup(cfg, subjects, budget, run.endpoint, stream, node, inbox, req,
        () -> scheduler.execute(() -> {
          run.machine.onWake(nanos());
          afterRun(run);
        }));
    runs.add(run);
    run.machine.start(nanos());
    afterRun(run);
  }

  /**
   * Stops {@code peer}'s running catch-ups before serving its new request ({@link
   * io.jscluster.core.sync.LeaderCatchups}' rule, a deliberate difference from nats-server): the
   * follower reads only its newest inbox, so an older run sends into the void and holds its share
   * of the server's catch-up budget until it stalls (the activity interval, 30 s); with the
   * budget used up, the new run could not send either and the follower's catch-up would stall
   * too. Requests without a peer id supersede nothing.
   */
  private void supersede(String peer) {
    if (peer == null || peer.isEmpty()) {
      return;
    }
    for (java.util.Iterator<Run> it = runs.iterator(); it.hasNext(); ) {
      Run r = it.next();
      if (peer.equals(r.machine.peer())) {
        r.machine.stop();
        close(r);
        it.remove();
      }
    }
  }

  private void afterRun(Run run) {
    if (run.machine.isDone()) {
      close(run);
      runs.remove(run);
      return;
    }
    run.timer.arm(run.machine.deadline());
  }

  private void close(Run r) {
    r.timer.cancel();
    r.endpoint.close();
  }

  private final class Follow {
    io.jscluster.core.sync.FollowerCatchup machine;
    SyncEndpoint endpoint;
    DeadlineTimer timer;
  }

  private Follow follow;

  /**
   * Starts the follower side of a snapshot catch-up ({@code processSnapshot}) with a
   * {@link io.jscluster.core.sync.FollowerCatchup} fed on this node's thread; a running one is
   * stopped first. Returns the machine, which may already be done.
   */
  io.jscluster.core.sync.FollowerCatchup follow(io.jscluster.codec.state.StreamReplicatedState snap, long index,
      io.jscluster.core.sync.FollowerCatchup.Replica replica, io.jscluster.core.sync.FollowerCatchup.Node node,
      io.jscluster.core.sync.CatchupState state, io.jscluster.core.sync.SyncRequestLimiter limiter,
      java.util.function.Consumer<io.jscluster.core.sync.CatchupException> done) {
    if (follow != null) {
      Follow old = follow;
      follow = null;
      old.machine.stop(false);
      closeFollow(old);
    }
    Follow f = new Follow();
    f.timer = new DeadlineTimer(scheduler, () -> {
      if (!f.machine.isDone()) {
        f.machine.tick(nanos());
        afterFollow(f);
      }
    });
    f.endpoint = new SyncEndpoint(transport, scheduler, (SyncEndpoint.BatchSink) batch -> {
      if (!f.machine.isDone()) {
        f.machine.onMessages(batch, nanos());
        afterFollow(f);
      }
    });
    f.machine = new io.jscluster.core.sync.FollowerCatchup(cfg, subjects, limiter, f.endpoint, replica, node, state,
        () -> !stopped, () -> scheduler.execute(() -> {
          if (!f.machine.isDone()) {
            f.machine.onPermit(nanos());
            afterFollow(f);
          }
        }), err -> {
          closeFollow(f);
          if (follow == f) {
            follow = null;
          }
          done.accept(err);
        });
    follow = f;
    f.machine.start(snap, index, nanos());
    afterFollow(f);
    return f.machine;
  }

  private void afterFollow(Follow f) {
    if (f.machine.isDone()) {
      closeFollow(f);
      return;
    }
    f.timer.arm(f.machine.deadline());
  }

  private void closeFollow(Follow f) {
    f.timer.cancel();
    f.endpoint.close();
  }

  /**
   * Repairs every damaged range of the store from the leader serving {@code sync}; {@code repaired}
   * gets each range restored.
   */
  void repairDamage(String sync, java.util.function.Consumer<Damage> repairedRange) {
    if (sync.isEmpty()) {
      return;
    }
    for (Damage d : store.damage()) {
      Fetch f = new Fetch();
      f.timer = new DeadlineTimer(scheduler, () -> {
        f.machine.tick(nanos());
        afterFetch(f);
      });
      f.endpoint = new SyncEndpoint(transport, scheduler, (s, r, p) -> {
        f.machine.onMessage(s, r, p, nanos());
        afterFetch(f);
      });
      f.machine = new RepairFetch(cfg, subjects, f.endpoint, store, sync, nodeId, d, err -> {
        if (err == null) {
          repaired++;
          repairedRange.accept(d);
          LOG.info("[{}] stream {}: repaired damaged range {}..{} from the leader", nodeId, streamName,
              d.firstSeq(), d.lastSeq());
        } else {
          LOG.warn("[{}] stream {}: repair of {}..{} failed: {}", nodeId, streamName, d.firstSeq(),
              d.lastSeq(), err.getMessage());
        }
      });
      fetches.add(f);
      f.machine.start(nanos());
      afterFetch(f);
    }
  }

  private void afterFetch(Fetch f) {
    if (f.machine.isDone()) {
      f.timer.cancel();
      f.endpoint.close();
      return;
    }
    f.timer.arm(f.machine.deadline());
  }

  /** Stops everything (the replica goes away). */
  void stop() {
    stopServing();
    if (follow != null) {
      Follow f = follow;
      follow = null;
      f.machine.stop(false);
      closeFollow(f);
    }
    for (Fetch f : fetches) {
      f.machine.stop();
      f.timer.cancel();
      f.endpoint.close();
    }
    fetches.clear();
    stopped = true;
  }
}
