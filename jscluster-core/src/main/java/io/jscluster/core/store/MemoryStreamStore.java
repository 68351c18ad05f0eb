package io.jscluster.core.store;

import io.jscluster.codec.state.DeleteBlock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A {@link StreamStore} held entirely on the heap, like nats-server's memory store: nothing is durable,
 * {@link #sync()} and {@link #batch(Runnable)} only provide atomicity.
 *
 * <h2>Layout</h2>
 * Messages live in pages of 4,096 consecutive sequences. A page keeps its messages in flat arrays — timestamps,
 * a packed metadata array (subject id, slab offset, header and data length per slot) and a slab holding the
 * headers and payloads back to back — so storing a message copies its bytes and writes a few array slots
 * without allocating, and a million retained messages are a few thousand objects for the garbage collector, not
 * millions. The slab is a list of chunks of at most {@value #CHUNK} bytes (a message never straddles two): every
 * chunk stays below half of G1's smallest region (1 MiB), so no slab is a humongous object that G1 would place
 * in regions of its own and only reclaim in special ways — a page of 1 KiB messages is 16 chunks, not one 4 MiB
 * array. Subjects are stored as the small ids the shared subject bookkeeping hands out. Pages emptied by
 * removals are recycled for new sequences; a page whose slab is mostly holes is compacted in place. Messages
 * larger than {@value #INLINE_MAX} bytes are kept as their own array. Skipped or purged spans cost nothing;
 * interior deletes are one exact set.
 */
public final class MemoryStreamStore extends AbstractStreamStore {
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_SIZE - 1;
    /** Header plus data bytes above which a message is kept out of the slab. */
    static final int INLINE_MAX = 64 * 1024;
    private static final int CHUNK_SHIFT = 18;
    /** Bytes of a full slab chunk: with its array header well below half of a 1 MiB G1 region. */
    static final int CHUNK = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK - 1;
    private static final int SLAB_INITIAL = 4096;
    /** A recycled page keeps its chunks only up to this many bytes of them. */
    private static final long SPARE_SLAB_MAX = 8L << 20;
    /** Slabs smaller than this are never compacted (holes there cost little). */
    private static final int COMPACT_MIN = 64 * 1024;
    private static final int META_INITIAL = 16;
    private static final int SPARE_PAGES = 2;
    private static final byte[] EMPTY = new byte[0];

    /** Messages of the sequences {@code index * 4096 + base + i} for {@code i} in {@code [0, top)}. */
    private static final class Page {
        long index;
        /** Slot (sequence & 4095) of array position 0. */
        int base;
        /** Array positions in use: every slot above {@code top} is empty. */
        int top;
        /** Lowest array position holding a message (when {@code count > 0}). */
        int low;
        int count;
        long[] ts;
        /**
         * Per position: subject id + 1 (0 = empty), slab offset (-1 = out of line), header length, data length. A
         * slab offset is {@code chunk << CHUNK_SHIFT | offset in the chunk}.
         */
        int[] meta;
        byte[][] big;
        /** Slab chunks: chunk 0 grows by doubling up to {@link #CHUNK}, later ones are allocated full. */
        byte[][] chunks;
        /** Slab offset of the next free byte; below it, the bytes of removed messages and chunk tails are holes. */
        int used;
        /** Slab bytes of the messages present. */
        int live;

        Page(int positions, int slabBytes) {
            ts = new long[positions];
            meta = new int[positions * 4];
            chunks = new byte[4][];
            chunks[0] = new byte[Math.min(slabBytes, CHUNK)];
        }

        /** Bytes of the chunks this page holds. */
        long slabBytes() {
            long n = 0;
            for (byte[] c : chunks) {
                n += c == null ? 0 : c.length;
            }
            return n;
        }

        void reset(long index, int base) {
            this.index = index;
            this.base = base;
            top = 0;
            low = 0;
            count = 0;
            used = 0;
            live = 0;
            big = null;
        }

        long seqAt(int pos) {
            return (index << PAGE_SHIFT) + base + pos;
        }
    }

    private Page[] pages = new Page[8];
    private int pageCount;
    private int cachedPos = -1;
    private final Page[] spares = new Page[SPARE_PAGES];
    private int spareCount;
    /** Capacities the previous page grew to: a new page starts there, so a busy stream does not regrow each. */
    private int positionsHint = META_INITIAL;
    private int slabHint = SLAB_INITIAL;
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

    // ---------------------------------------------------------------- pages

    /** Position in {@link #pages} of the page with {@code idx}, or {@code -(insertion point) - 1}. */
    private int findPage(long idx) {
        int c = cachedPos;
        if (c >= 0 && c < pageCount && pages[c].index == idx) {
            return c;
        }
        if (pageCount > 0) {
            if (pages[pageCount - 1].index == idx) {
                return cachedPos = pageCount - 1;
            }
            if (pages[0].index == idx) {
                return cachedPos = 0;
            }
        }
        int lo = 0;
        int hi = pageCount - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = pages[mid].index;
            if (v < idx) {
                lo = mid + 1;
            } else if (v > idx) {
                hi = mid - 1;
            } else {
                return cachedPos = mid;
            }
        }
        return -(lo + 1);
    }

    /** The page holding {@code seq}, or null. */
    private Page pageOf(long seq) {
        int pos = findPage(seq >>> PAGE_SHIFT);
        return pos >= 0 ? pages[pos] : null;
    }

    /** Array position of {@code seq} in {@code p} when it holds a message, else -1. */
    private static int position(Page p, long seq) {
        int i = (int) (seq & PAGE_MASK) - p.base;
        return i >= 0 && i < p.top && p.meta[i * 4] != 0 ? i : -1;
    }

    /** The last page, created (appended) for {@code seq} when {@code seq} lies beyond it. */
    private Page pageForAppend(long seq) {
        long idx = seq >>> PAGE_SHIFT;
        if (pageCount > 0 && pages[pageCount - 1].index == idx) {
            return pages[pageCount - 1];
        }
        if (pageCount > 0) {
            Page prev = pages[pageCount - 1];
            positionsHint = Math.max(META_INITIAL, prev.top);
            slabHint = Math.max(SLAB_INITIAL, Math.min(prev.used, CHUNK));
        }
        Page p;
        if (spareCount > 0) {
            p = spares[--spareCount];
            spares[spareCount] = null;
        } else {
            p = new Page(positionsHint, slabHint);
        }
        p.reset(idx, (int) (seq & PAGE_MASK));
        if (pageCount == pages.length) {
            pages = Arrays.copyOf(pages, pageCount * 2);
        }
        pages[pageCount++] = p;
        return p;
    }

    private void removePage(int pos) {
        Page p = pages[pos];
        System.arraycopy(pages, pos + 1, pages, pos, pageCount - pos - 1);
        pages[--pageCount] = null;
        cachedPos = -1;
        if (spareCount < SPARE_PAGES && p.slabBytes() <= SPARE_SLAB_MAX) {
            p.big = null;
            spares[spareCount++] = p;
        }
    }

    /** Makes room for array position {@code i}. */
    private static void ensurePosition(Page p, int i) {
        if (i < p.ts.length) {
            return;
        }
        int cap = Math.min(Math.max(i + 1, p.ts.length * 2), PAGE_SIZE);
        p.ts = Arrays.copyOf(p.ts, cap);
        p.meta = Arrays.copyOf(p.meta, cap * 4);
        if (p.big != null) {
            p.big = Arrays.copyOf(p.big, cap);
        }
    }

    /** Where {@code len} (at most {@link #CHUNK}) slab bytes go after {@code used}: there, or the next chunk. */
    private static int placeAt(int used, int len) {
        return (used & CHUNK_MASK) + len <= CHUNK ? used : ((used >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT;
    }

    /** Whether the chunk for slab bytes {@code [at, at + len)} exists and is long enough. */
    private static boolean hasRoom(Page p, int at, int len) {
        int ci = at >>> CHUNK_SHIFT;
        return ci < p.chunks.length && p.chunks[ci] != null && (at & CHUNK_MASK) + len <= p.chunks[ci].length;
    }

    /**
     * Reserves {@code len} slab bytes for a new message and returns their slab offset, compacting first when the
     * slab would have to grow and its holes would cover the need.
     */
    private static int allocSlab(Page p, int len) {
        int at = placeAt(p.used, len);
        if (!hasRoom(p, at, len) && p.used - p.live >= len && p.used >= COMPACT_MIN) {
            compact(p);
            at = placeAt(p.used, len);
        }
        int ci = at >>> CHUNK_SHIFT;
        if (ci >= p.chunks.length) {
            p.chunks = Arrays.copyOf(p.chunks, Math.max(ci + 1, p.chunks.length * 2));
        }
        if (ci > 0 && p.chunks[0].length < CHUNK) {
            // Every chunk before the last is full-size, so compaction may move a message anywhere below it.
            p.chunks[0] = Arrays.copyOf(p.chunks[0], CHUNK);
        }
        byte[] c = p.chunks[ci];
        int end = (at & CHUNK_MASK) + len;
        if (c == null) {
            p.chunks[ci] = new byte[ci == 0 ? Math.max(SLAB_INITIAL, Integer.highestOneBit(end - 1) << 1) : CHUNK];
        } else if (c.length < end) {
            // Only chunk 0 starts small: it doubles (at most to a full chunk) like a growing array.
            p.chunks[ci] = Arrays.copyOf(c, Math.min(CHUNK, Math.max(c.length * 2, end)));
        }
        p.used = at + len;
        return at;
    }

    /** Slides the live inline messages of {@code p} towards the start of its slab, in slot order. */
    private static void compact(Page p) {
        int w = 0;
        int[] meta = p.meta;
        byte[][] chunks = p.chunks;
        for (int i = 0; i < p.top; i++) {
            int m = i * 4;
            if (meta[m] == 0 || meta[m + 1] < 0) {
                continue;
            }
            int off = meta[m + 1];
            int len = meta[m + 2] + meta[m + 3];
            // Slot order is slab order (messages are appended in sequence order), so w never passes off.
            w = placeAt(w, len);
            if (off != w) {
                System.arraycopy(chunks[off >>> CHUNK_SHIFT], off & CHUNK_MASK, chunks[w >>> CHUNK_SHIFT],
                        w & CHUNK_MASK, len);
                meta[m + 1] = w;
            }
            w += len;
        }
        p.used = w;
        // Chunks wholly past the live bytes go; one is kept for the appends to come.
        for (int ci = (w >>> CHUNK_SHIFT) + 2; ci < chunks.length; ci++) {
            chunks[ci] = null;
        }
    }

    // ---------------------------------------------------------------- primitives

    @Override
    long recordSize(int subjectLen, int headerLen, int dataLen) {
        return MessageSize.memoryStore(subjectLen, headerLen, dataLen);
    }

    @Override
    void appendMessage(long seq, long ts, SubjectInfo si, int subjectLen, byte[] header, int headerOff,
                       int headerLen, byte[] data, int dataOff, int dataLen, long size) {
        int hl = headerLen;
        int dl = dataLen;
        long len = (long) hl + dl;
        if (len > Integer.MAX_VALUE - 16) {
            throw new StoreException("message too large: header " + hl + " data " + dl);
        }
        Page p = pageForAppend(seq);
        int i = (int) (seq & PAGE_MASK) - p.base;
        ensurePosition(p, i);
        int off;
        if (len > INLINE_MAX) {
            byte[] out = new byte[(int) len];
            if (hl > 0) {
                System.arraycopy(header, headerOff, out, 0, hl);
            }
            if (dl > 0) {
                System.arraycopy(data, dataOff, out, hl, dl);
            }
            if (p.big == null) {
                p.big = new byte[p.ts.length][];
            }
            p.big[i] = out;
            off = -1;
        } else {
            off = allocSlab(p, (int) len);
            byte[] c = p.chunks[off >>> CHUNK_SHIFT];
            int o = off & CHUNK_MASK;
            if (hl > 0) {
                System.arraycopy(header, headerOff, c, o, hl);
            }
            if (dl > 0) {
                System.arraycopy(data, dataOff, c, o + hl, dl);
            }
            p.live += (int) len;
        }
        p.ts[i] = ts;
        int m = i * 4;
        p.meta[m] = si.id + 1;
        p.meta[m + 1] = off;
        p.meta[m + 2] = hl;
        p.meta[m + 3] = dl;
        if (p.count++ == 0 || i < p.low) {
            p.low = i;
        }
        if (i >= p.top) {
            p.top = i + 1;
        }
    }

    @Override
    void appendSkip(long first, long last, long ts) {
        if (msgs > 0) {
            // O(nodes), not O(gap): a skip of 100,000,000 sequences is ~49,000 node fills, not 10^8 inserts.
            dmap.insertRange(first, last);
        }
    }

    @Override
    StoredMessage read(long seq) {
        Page p = pageOf(seq);
        if (p == null) {
            return null;
        }
        int i = position(p, seq);
        if (i < 0) {
            return null;
        }
        int m = i * 4;
        SubjectInfo si = subjectById(p.meta[m] - 1);
        int off = p.meta[m + 1];
        int hl = p.meta[m + 2];
        int dl = p.meta[m + 3];
        byte[] src = off < 0 ? p.big[i] : p.chunks[off >>> CHUNK_SHIFT];
        int o = off < 0 ? 0 : off & CHUNK_MASK;
        byte[] h = hl == 0 ? EMPTY : Arrays.copyOfRange(src, o, o + hl);
        byte[] d = dl == 0 ? EMPTY : Arrays.copyOfRange(src, o + hl, o + hl + dl);
        return new StoredMessage(seq, p.ts[i], si.subject, h, d);
    }

    @Override
    boolean readInto(long seq, MessageView into) {
        Page p = pageOf(seq);
        if (p == null) {
            return false;
        }
        int i = position(p, seq);
        if (i < 0) {
            return false;
        }
        int m = i * 4;
        int off = p.meta[m + 1];
        int hl = p.meta[m + 2];
        byte[] src = off < 0 ? p.big[i] : p.chunks[off >>> CHUNK_SHIFT];
        int o = off < 0 ? 0 : off & CHUNK_MASK;
        into.set(seq, p.ts[i], subjectById(p.meta[m] - 1).subject, src, o, hl, o + hl, p.meta[m + 3]);
        return true;
    }

    @Override
    long timestampOf(long seq) {
        Page p = pageOf(seq);
        int i = p == null ? -1 : position(p, seq);
        return i < 0 ? 0 : p.ts[i];
    }

    @Override
    long nextOfSubject(SubjectInfo si, long from) {
        long upper = si.lastStale ? lastSeq : Math.min(si.last, lastSeq);
        int want = si.id + 1;
        long seq = Math.max(from, 1);
        int pos = findPage(seq >>> PAGE_SHIFT);
        if (pos < 0) {
            pos = -pos - 1;
        }
        for (; pos < pageCount; pos++) {
            Page p = pages[pos];
            long start = p.seqAt(0);
            if (start > upper) {
                return 0;
            }
            int i = (int) Math.max(0, seq - start);
            int[] meta = p.meta;
            for (; i < p.top; i++) {
                if (meta[i * 4] == want) {
                    long s = start + i;
                    return s <= upper ? s : 0;
                }
            }
        }
        return 0;
    }

    @Override
    long prevOfSubject(SubjectInfo si, long from, long floor) {
        int want = si.id + 1;
        long lo = Math.max(Math.max(floor, firstSeq), 1);
        long seq = Math.min(from, lastSeq);
        if (seq < lo) {
            return 0;
        }
        int pos = findPage(seq >>> PAGE_SHIFT);
        if (pos < 0) {
            pos = -pos - 2;
        }
        for (; pos >= 0; pos--) {
            Page p = pages[pos];
            long start = p.seqAt(0);
            int i = (int) Math.min(p.top - 1L, seq - start);
            for (; i >= 0; i--) {
                long s = start + i;
                if (s < lo) {
                    return 0;
                }
                if (p.meta[i * 4] == want) {
                    return s;
                }
            }
        }
        return 0;
    }

    /** Clears the slot of {@code seq}, returning its subject (size in {@link #removedSize}), or null. */
    private SubjectInfo clearSlot(long seq, boolean erase) {
        int pos = findPage(seq >>> PAGE_SHIFT);
        if (pos < 0) {
            return null;
        }
        Page p = pages[pos];
        int i = position(p, seq);
        if (i < 0) {
            return null;
        }
        int m = i * 4;
        SubjectInfo si = subjectById(p.meta[m] - 1);
        int off = p.meta[m + 1];
        int hl = p.meta[m + 2];
        int dl = p.meta[m + 3];
        removedSize = recordSize(si.length, hl, dl);
        if (erase) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            if (off < 0) {
                r.nextBytes(p.big[i]);
            } else {
                byte[] c = p.chunks[off >>> CHUNK_SHIFT];
                for (int k = off & CHUNK_MASK, end = k + hl + dl; k < end; k++) {
                    c[k] = (byte) r.nextInt();
                }
            }
        }
        p.meta[m] = 0;
        if (off < 0) {
            p.big[i] = null;
        } else {
            p.live -= hl + dl;
        }
        if (--p.count == 0) {
            removePage(pos);
        } else {
            while (p.top > 0 && p.meta[(p.top - 1) * 4] == 0) {
                p.top--;
            }
            boolean oldest = i == p.low;
            if (oldest) {
                while (p.low < p.top && p.meta[p.low * 4] == 0) {
                    p.low++;
                }
            }
            // Compact for holes left by interior removals only: a page drained from its oldest message (discard
            // old, compact, expiry) is about to be recycled whole, and moving its tail each time would be waste.
            if (!oldest && p.used >= COMPACT_MIN && p.live < p.used / 2) {
                compact(p);
            }
        }
        return si;
    }

    @Override
    SubjectInfo removeRecord(long seq, boolean erase) {
        SubjectInfo si = clearSlot(seq, erase);
        if (si != null && seq != firstSeq) {
            dmap.insert(seq);
        }
        return si;
    }

    @Override
    long nextPresent(long from) {
        long seq = Math.max(from, 1);
        int pos = findPage(seq >>> PAGE_SHIFT);
        if (pos < 0) {
            pos = -pos - 1;
        }
        for (; pos < pageCount; pos++) {
            Page p = pages[pos];
            long start = p.seqAt(0);
            if (start > lastSeq) {
                return 0;
            }
            int i = (int) Math.max(p.low, seq - start);
            int[] meta = p.meta;
            for (; i < p.top; i++) {
                if (meta[i * 4] != 0) {
                    long s = start + i;
                    return s <= lastSeq ? s : 0;
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
        Arrays.fill(pages, 0, pageCount, null);
        pageCount = 0;
        cachedPos = -1;
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
            SubjectInfo si = clearSlot(seq, false);
            if (!leading) {
                dmap.insert(seq);
            }
            sink.removed(si.subject, seq, removedSize);
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
            SubjectInfo si = clearSlot(s, false);
            sink.removed(si.subject, s, removedSize);
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

    /** Length of the largest slab chunk of any page, recycled ones included (for tests). */
    synchronized int largestSlabArray() {
        int max = 0;
        for (Page[] ps : new Page[][] {pages, spares}) {
            for (Page p : ps) {
                for (byte[] c : p == null ? new byte[0][] : p.chunks) {
                    max = Math.max(max, c == null ? 0 : c.length);
                }
            }
        }
        return max;
    }

    @Override
    public synchronized void close() {
        markClosed();
        clearAll(0);
        Arrays.fill(spares, null);
        spareCount = 0;
    }
}
