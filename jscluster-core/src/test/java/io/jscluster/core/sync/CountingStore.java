package io.jscluster.core.sync;

import io.jscluster.codec.state.DeleteBlock;
import io.jscluster.core.store.Damage;
import io.jscluster.core.store.SourceState;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.store.StreamStore;
import java.util.List;
import java.util.Map;

/** A store that counts loads and can be told to fail them (for leader-side tests). */
final class CountingStore implements StreamStore {
  private final StreamStore d;
  private final int[] loads;
  RuntimeException failLoads;
  /** Thrown by {@link #batch} after the body ran, as a store whose closing sync failed. */
  RuntimeException failBatchSync;

  CountingStore(StreamStore d, int[] loads) {
    this.d = d;
    this.loads = loads;
  }

  @Override
  public long store(String subject, byte[] header, byte[] data) {
    return d.store(subject, header, data);
  }

  @Override
  public void storeAt(long seq, long tsNanos, String subject, byte[] header, byte[] data) {
    d.storeAt(seq, tsNanos, subject, header, data);
  }

  @Override
  public void skip(long seq) {
    d.skip(seq);
  }

  @Override
  public void skip(long seq, long num) {
    d.skip(seq, num);
  }

  @Override
  public StoredMessage load(long seq) {
    loads[0]++;
    if (failLoads != null) {
      throw failLoads;
    }
    return d.load(seq);
  }

  @Override
  public StoredMessage loadNext(String filter, long start) {
    loads[0]++;
    if (failLoads != null) {
      throw failLoads;
    }
    return d.loadNext(filter, start);
  }

  @Override
  public boolean remove(long seq) {
    return d.remove(seq);
  }

  @Override
  public boolean erase(long seq) {
    return d.erase(seq);
  }

  @Override
  public long purge() {
    return d.purge();
  }

  @Override
  public long purge(String subject, long upToSeq, long keep) {
    return d.purge(subject, upToSeq, keep);
  }

  @Override
  public long compact(long seq) {
    return d.compact(seq);
  }

  @Override
  public void truncate(long seq) {
    d.truncate(seq);
  }

  @Override
  public StreamState state() {
    return d.state();
  }

  @Override
  public long[] deletedSequences() {
    return d.deletedSequences();
  }

  @Override
  public byte[] encodedState(long failed, boolean withSources) {
    return d.encodedState(failed, withSources);
  }

  @Override
  public void syncDeleted(List<DeleteBlock> deleted) {
    d.syncDeleted(deleted);
  }

  @Override
  public StreamLimits limits() {
    return d.limits();
  }

  @Override
  public void updateLimits(StreamLimits limits) {
    d.updateLimits(limits);
  }

  @Override
  public long expire(long nowNanos) {
    return d.expire(nowNanos);
  }

  @Override
  public Map<String, Long> subjectTotals(String filter) {
    return d.subjectTotals(filter);
  }

  @Override
  public Map<String, SourceState> sources() {
    return d.sources();
  }

  @Override
  public void applySources(Map<String, SourceState> sources) {
    d.applySources(sources);
  }

  @Override
  public List<Damage> damage() {
    return d.damage();
  }

  @Override
  public void repair(long firstSeq, long lastSeq, List<StoredMessage> messages) {
    d.repair(firstSeq, lastSeq, messages);
  }

  @Override
  public void sync() {
    d.sync();
  }

  @Override
  public void batch(Runnable body) {
    d.batch(body);
    if (failBatchSync != null) {
      throw failBatchSync;
    }
  }

  @Override
  public void close() {}
}
