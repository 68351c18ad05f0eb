package io.jscluster.core.store;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * In-memory metadata of one block file: its sequence span, counts, interior deletes and damage. The record index
 * (sequence to file offset) is held separately in a bounded cache. Guarded by the store's lock.
 */
final class Block {
    /** First sequence the block may hold; also its file name. */
    final long base;
    final Path file;
    final Path delFile;
    /** First live (or damaged) sequence, or {@code last + 1} when the block holds none. */
    long first;
    /** Last sequence covered by the block's records, {@code base - 1} when it has none. */
    long last;
    long msgs;
    long bytes;
    long lastTs;
    /** Sequences in [first, last] that are neither live nor damaged. */
    final DeleteSet dmap = new DeleteSet();
    /** Damaged sub-ranges, ascending, disjoint; changed only through the methods below (they keep the tally). */
    private final List<Damage> damaged = new ArrayList<>();
    private final List<Damage> damagedView = java.util.Collections.unmodifiableList(damaged);
    /** The owning store's count of damaged blocks while this block is one of its blocks; null otherwise. */
    private Tally tally;
    /**
     * Bytes of the file written through the channel or queued for a write-behind write at the file's end (the
     * write buffer holds more for the active block). Only the active block ever has queued writes.
     */
    long fileLength;
    /** Length recorded in the manifest when sealed, or -1 while the block is the active one. */
    long sealedLength = -1;
    /** Manifest's last sequence when the block is sealed (or the checkpoint's), used to bound damage. */
    long manifestLast;
    FileChannel channel;
    FileChannel delChannel;
    boolean dirty;
    boolean delDirty;
    /** Writes to the block file / delete log so far; a background fsync clears a flag only if none came since. */
    long writes;
    long delWrites;

    Block(long base, Path dir) {
        this.base = base;
        String name = fileName(base);
        this.file = dir.resolve(name + ".blk");
        this.delFile = dir.resolve(name + ".del");
        this.first = base;
        this.last = base - 1;
        this.manifestLast = base - 1;
    }

    private static final String ZEROS = "00000000000000000000";

    /**
     * {@code base} as 20 decimal digits, zero padded: the name of its block files. Not {@code String.format}: a
     * block is created at every roll, where the formatter (parsing its pattern each time, and rarely compiled
     * since rolls are rare) cost more than everything else the new block needs in memory.
     */
    static String fileName(long base) {
        if (base < 0) {
            return String.format("%020d", base);
        }
        String digits = Long.toString(base);
        return ZEROS.substring(digits.length()) + digits;
    }

    /** A store's count of its blocks that have damage, so asking whether it has any is O(1). */
    static final class Tally {
        int damagedBlocks;
    }

    /** Makes this block one of the store's blocks counted by {@code t}. */
    void attach(Tally t) {
        tally = t;
        if (hasDamage()) {
            t.damagedBlocks++;
        }
    }

    /** This block is no longer one of its store's blocks. */
    void detach() {
        if (tally != null && hasDamage()) {
            tally.damagedBlocks--;
        }
        tally = null;
    }

    /** Adjusts the tally after a change of the damage list from {@code had} damage. */
    private void recount(boolean had) {
        if (tally != null && had != hasDamage()) {
            tally.damagedBlocks += had ? -1 : 1;
        }
    }

    /** Damaged sub-ranges, ascending, disjoint (read-only). */
    List<Damage> damaged() {
        return damagedView;
    }

    /** Forgets every damaged range (a rescan is about to recompute them). */
    void clearAllDamage() {
        boolean had = hasDamage();
        damaged.clear();
        recount(had);
    }

    boolean isDamaged(long seq) {
        for (Damage d : damaged) {
            if (d.contains(seq)) {
                return true;
            }
        }
        return false;
    }

    /** Smallest damaged sequence at or after {@code from}, or 0. */
    long nextDamaged(long from) {
        long best = 0;
        for (Damage d : damaged) {
            if (d.lastSeq() >= from) {
                long c = Math.max(d.firstSeq(), from);
                if (best == 0 || c < best) {
                    best = c;
                }
            }
        }
        return best;
    }

    /** Removes {@code [from, to]} from the damaged ranges. */
    void clearDamage(long from, long to) {
        boolean had = hasDamage();
        List<Damage> out = new ArrayList<>();
        for (Damage d : damaged) {
            if (d.lastSeq() < from || d.firstSeq() > to) {
                out.add(d);
                continue;
            }
            if (d.firstSeq() < from) {
                out.add(new Damage(d.firstSeq(), from - 1, d.file(), d.reason()));
            }
            if (d.lastSeq() > to) {
                out.add(new Damage(to + 1, d.lastSeq(), d.file(), d.reason()));
            }
        }
        damaged.clear();
        damaged.addAll(out);
        recount(had);
    }

    /** Adds a damaged range (callers keep ranges disjoint and ascending). */
    void addDamage(long from, long to, String reason) {
        if (from > to) {
            return;
        }
        clearDamage(from, to);
        boolean had = hasDamage();
        damaged.add(new Damage(from, to, file.getFileName().toString(), reason));
        damaged.sort((a, b) -> Long.compare(a.firstSeq(), b.firstSeq()));
        recount(had);
    }

    boolean hasDamage() {
        return !damaged.isEmpty();
    }

    /** True when {@code seq} holds a message (within span, not deleted, not damaged). */
    boolean isLive(long seq) {
        return seq >= first && seq <= last && !dmap.exists(seq) && !isDamaged(seq);
    }

    @Override
    public String toString() {
        return "Block[" + base + " " + first + ".." + last + " msgs=" + msgs + " dmap=" + dmap.size()
                + " damaged=" + damaged.size() + "]";
    }
}
