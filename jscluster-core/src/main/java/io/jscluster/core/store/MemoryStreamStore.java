package io.jscluster.core.store;

import io.jscluster.codec.state.DeleteBlock;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A {@link StreamStore} held entirely on the heap, like nats-server's memory store: nothing is durable,
 * {@link #sync()} and {@link #batch(Runnable)} only provide atomicity. Messages live in 4,096-slot pages keyed by
 * sequence, so skipped or purged spans cost nothing; interior deletes are one exact set.
 */
public final class MemoryStreamStore extends AbstractStreamStore {
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final byte[] EMPTY = new byte[0];

    private static final class Page {
        final StoredMessage[] slots = new StoredMessage[PAGE_SIZE];
        int count;
    }

    private final HashMap<Long, Page> pages = new HashMap<>();
    private long cachedPageIndex = -1;
    private Page cachedPage;
    private final DeleteSet dmap = new DeleteSet();

    /** A store with no limits and the system clock. */
    public MemoryStreamStore() {
        this(StreamLimits.NONE, MemoryStreamStore::systemNanos);
    }

    /**
     * A store with the given limits and clock.
     *
     * @param clock Unix time in nanoseconds, used to stamp {@link #store} messages and the first skip
     */
    public MemoryStreamStore(StreamLimits limits, LongSupplier clock) {
        super(limits, clock);
    }

    static long systemNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private Page page(long seq, boolean create) {
        long idx = seq >>> PAGE_SHIFT;
        if (idx == cachedPageIndex && cachedPage != null) {
            return cachedPage;
        }
        Page p = pages.get(idx);
        if (p == null && create) {
            p = new Page();
            pages.put(idx, p);
        }
        if (p != null) {
            cachedPageIndex = idx;
            cachedPage = p;
        }
        return p;
    }

    private StoredMessage slot(long seq) {
        Page p = page(seq, false);
        return p == null ? null : p.slots[(int) (seq & (PAGE_SIZE - 1))];
    }

    private StoredMessage clearSlot(long seq) {
        Page p = page(seq, false);
        if (p == null) {
            return null;
        }
        int i = (int) (seq & (PAGE_SIZE - 1));
        StoredMessage m = p.slots[i];
        if (m != null) {
            p.slots[i] = null;
            if (--p.count == 0) {
                long idx = seq >>> PAGE_SHIFT;
                pages.remove(idx);
                if (cachedPageIndex == idx) {
                    cachedPage = null;
                    cachedPageIndex = -1;
                }
            }
        }
        return m;
    }

    @Override
    long recordSize(int subjectLen, int headerLen, int dataLen) {
        return MessageSize.memoryStore(subjectLen, headerLen, dataLen);
    }

    @Override
    void appendMessage(long seq, long ts, String subject, int subjectLen, byte[] header, byte[] data, long size) {
        byte[] h = header == null || header.length == 0 ? EMPTY : header.clone();
        byte[] d = data == null || data.length == 0 ? EMPTY : data.clone();
        Page p = page(seq, true);
        p.slots[(int) (seq & (PAGE_SIZE - 1))] = new StoredMessage(seq, ts, subject, h, d);
        p.count++;
    }

    @Override
    void appendSkip(long first, long last, long ts) {
        if (msgs > 0) {
            for (long s = first; s <= last; s++) {
                dmap.insert(s);
            }
        }
    }

    @Override
    StoredMessage read(long seq) {
        return slot(seq);
    }

    @Override
    StoredMessage removeRecord(long seq, boolean erase) {
        StoredMessage m = clearSlot(seq);
        if (m == null) {
            return null;
        }
        if (erase) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            r.nextBytes(m.header());
            r.nextBytes(m.data());
        }
        if (seq != firstSeq) {
            dmap.insert(seq);
        }
        return erase ? new StoredMessage(seq, m.tsNanos(), m.subject(), new byte[m.header().length],
                new byte[m.data().length]) : m;
    }

    @Override
    long nextPresent(long from) {
        long seq = Math.max(from, 1);
        while (seq <= lastSeq) {
            Page p = page(seq, false);
            if (p == null) {
                // Jump to the next page that exists; pages are sparse after large skips.
                long nextIdx = Long.MAX_VALUE;
                for (Long idx : pages.keySet()) {
                    if (idx > (seq >>> PAGE_SHIFT) && idx < nextIdx) {
                        nextIdx = idx;
                    }
                }
                if (nextIdx == Long.MAX_VALUE) {
                    return 0;
                }
                seq = nextIdx << PAGE_SHIFT;
                continue;
            }
            int i = (int) (seq & (PAGE_SIZE - 1));
            for (; i < PAGE_SIZE; i++, seq++) {
                if (p.slots[i] != null) {
                    return seq <= lastSeq ? seq : 0;
                }
            }
        }
        return 0;
    }

    @Override
    void firstAdvanced(long oldFirst) {
        dmap.deleteBelow(firstSeq);
    }

    @Override
    void clearAll(long nextSeq) {
        pages.clear();
        cachedPage = null;
        cachedPageIndex = -1;
        dmap.clear();
    }

    @Override
    void dropRange(long from, long to, RemovedSink sink) {
        boolean leading = from <= firstSeq;
        long seq = from;
        while (seq <= to) {
            seq = nextPresent(seq);
            if (seq == 0 || seq > to) {
                return;
            }
            StoredMessage m = clearSlot(seq);
            if (!leading) {
                dmap.insert(seq);
            }
            sink.removed(m.subject(), seq, sizeOf(m));
            seq++;
        }
    }

    @Override
    void truncateAbove(long seq, RemovedSink sink) {
        long s = seq + 1;
        while (s <= lastSeq) {
            s = nextPresent(s);
            if (s == 0) {
                break;
            }
            StoredMessage m = clearSlot(s);
            sink.removed(m.subject(), s, sizeOf(m));
            s++;
        }
        dmap.deleteAbove(seq);
    }

    @Override
    void forEachDeleted(LongConsumer visitor) {
        dmap.forEach(s -> {
            visitor.accept(s);
            return true;
        });
    }

    @Override
    void afterMutation() {
    }

    @Override
    void beginBatch() {
    }

    @Override
    void endBatch() {
    }

    @Override
    public synchronized byte[] encodedState(long failed, boolean withSources) {
        checkOpen();
        long numDeleted = msgs > 0 ? lastSeq - firstSeq + 1 - msgs : 0;
        List<DeleteBlock> blocks = numDeleted > 0 ? List.of(dmap.view()) : List.of();
        return encode(failed, withSources, numDeleted, blocks);
    }

    @Override
    public List<Damage> damage() {
        return noDamage();
    }

    @Override
    public synchronized void repair(long firstSeq, long lastSeq, List<StoredMessage> messages) {
        checkOpen();
        throw new StoreException("memory store has no damaged range " + firstSeq + ".." + lastSeq);
    }

    @Override
    public void sync() {
        checkOpen();
    }

    @Override
    public synchronized void close() {
        closed = true;
        pages.clear();
        cachedPage = null;
        dmap.clear();
    }
}
