package io.jscluster.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The obviously-correct model the property test compares stores with: a sorted map of messages plus the
 * first/last bookkeeping, written from the SPI contract rather than from either implementation.
 */
final class ReferenceStream {
    /** Size formula: (subjectLen, headerLen + dataLen packed) is awkward, so take the message. */
    interface Sizer {
        long size(StoredMessage m);
    }

    final TreeMap<Long, StoredMessage> msgs = new TreeMap<>();
    final Sizer sizer;
    StreamLimits limits;
    long first;
    long firstTs;
    long last;
    long lastTs;

    ReferenceStream(Sizer sizer, StreamLimits limits) {
        this.sizer = sizer;
        this.limits = limits;
    }

    long bytes() {
        long b = 0;
        for (StoredMessage m : msgs.values()) {
            b += sizer.size(m);
        }
        return b;
    }

    long subjectCount(String subject) {
        long n = 0;
        for (StoredMessage m : msgs.values()) {
            if (m.subject().equals(subject)) {
                n++;
            }
        }
        return n;
    }

    StreamState state() {
        TreeMap<String, Long> subj = subjectTotals(">");
        long deleted = msgs.isEmpty() ? 0 : last - first + 1 - msgs.size();
        return new StreamState(msgs.size(), bytes(), first, firstTs, last, lastTs, subj.size(), deleted);
    }

    TreeMap<String, Long> subjectTotals(String filter) {
        TreeMap<String, Long> out = new TreeMap<>();
        for (StoredMessage m : msgs.values()) {
            if (SubjectFilter.matches(filter, m.subject())) {
                out.merge(m.subject(), 1L, Long::sum);
            }
        }
        return out;
    }

    List<Long> deleted() {
        List<Long> out = new ArrayList<>();
        if (msgs.isEmpty()) {
            return out;
        }
        for (long s = first; s <= last; s++) {
            if (!msgs.containsKey(s)) {
                out.add(s);
            }
        }
        return out;
    }

    StoredMessage load(long seq) {
        return msgs.get(seq);
    }

    StoredMessage loadNext(String filter, long start) {
        for (StoredMessage m : msgs.tailMap(Math.max(start, first), true).values()) {
            if (SubjectFilter.matches(filter, m.subject())) {
                return m;
            }
        }
        return null;
    }

    StoredMessage loadLast(String filter) {
        for (StoredMessage m : msgs.descendingMap().values()) {
            if (SubjectFilter.matches(filter, m.subject())) {
                return m;
            }
        }
        return null;
    }

    SubjectState subjectState(String subject) {
        long n = 0;
        long firstSeq = 0;
        long lastSeq = 0;
        for (StoredMessage m : msgs.values()) {
            if (m.subject().equals(subject)) {
                n++;
                firstSeq = firstSeq == 0 ? m.seq() : firstSeq;
                lastSeq = m.seq();
            }
        }
        return n == 0 ? SubjectState.EMPTY : new SubjectState(n, firstSeq, lastSeq);
    }

    /** Leader store; returns the sequence or throws the limit the store must throw. */
    long store(String subject, byte[] hdr, byte[] data, long now) {
        StoredMessage m = new StoredMessage(last + 1, now, subject, hdr, data);
        if (limits.discard() == DiscardPolicy.NEW) {
            long per = subjectCount(subject);
            boolean atSubject = limits.maxMsgsPerSubject() > 0 && per >= limits.maxMsgsPerSubject();
            if (atSubject && limits.discardNewPerSubject()) {
                throw new LimitExceededException(LimitExceededException.Limit.MAX_MSGS_PER_SUBJECT);
            }
            if (limits.maxMsgs() > 0 && msgs.size() >= limits.maxMsgs() && !atSubject) {
                throw new LimitExceededException(LimitExceededException.Limit.MAX_MSGS);
            }
            if (limits.maxBytes() > 0 && bytes() + sizer.size(m) > limits.maxBytes()) {
                if (!atSubject) {
                    throw new LimitExceededException(LimitExceededException.Limit.MAX_BYTES);
                }
                StoredMessage oldest = loadNext(subject, 0);
                while (oldest != null && !oldest.subject().equals(subject)) {
                    oldest = loadNext(subject, oldest.seq() + 1);
                }
                if (oldest == null || sizer.size(oldest) < sizer.size(m)) {
                    throw new LimitExceededException(LimitExceededException.Limit.MAX_BYTES);
                }
            }
        }
        storeAt(m.seq(), now, subject, hdr, data);
        return m.seq();
    }

    void storeAt(long seq, long ts, String subject, byte[] hdr, byte[] data) {
        if (seq != last + 1) {
            throw new SequenceMismatchException(last + 1, seq);
        }
        if (msgs.isEmpty()) {
            first = seq;
            firstTs = ts;
        }
        msgs.put(seq, new StoredMessage(seq, ts, subject, hdr, data));
        last = seq;
        lastTs = ts;
        if (limits.maxMsgsPerSubject() > 0) {
            while (subjectCount(subject) > limits.maxMsgsPerSubject()) {
                for (StoredMessage m : msgs.values()) {
                    if (m.subject().equals(subject)) {
                        remove(m.seq());
                        break;
                    }
                }
            }
        }
        if (limits.discard() == DiscardPolicy.OLD) {
            while (limits.maxMsgs() > 0 && msgs.size() > limits.maxMsgs()) {
                remove(msgs.firstKey());
            }
            while (limits.maxBytes() > 0 && bytes() > limits.maxBytes() && !msgs.isEmpty()) {
                remove(msgs.firstKey());
            }
        }
    }

    void skip(long seq, long num, long now) {
        if (seq != last + 1) {
            throw new SequenceMismatchException(last + 1, seq);
        }
        if (num == 0) {
            return;
        }
        last = seq + num - 1;
        if (lastTs == 0) {
            lastTs = now;
        }
        if (msgs.isEmpty()) {
            first = last + 1;
            firstTs = 0;
        }
    }

    boolean remove(long seq) {
        if (msgs.remove(seq) == null) {
            return false;
        }
        fixFirst();
        return true;
    }

    private void fixFirst() {
        if (msgs.isEmpty()) {
            first = last + 1;
            firstTs = 0;
        } else {
            first = msgs.firstKey();
            firstTs = msgs.firstEntry().getValue().tsNanos();
        }
    }

    private void resetTo(long next) {
        msgs.clear();
        first = next == 1 ? 0 : next;
        firstTs = 0;
        last = next - 1;
    }

    long purge() {
        long n = msgs.size();
        resetTo(last + 1);
        return n;
    }

    long purge(String subject, long upTo, long keep) {
        if (upTo == 1) {
            return 0;
        }
        boolean all = SubjectFilter.isAll(subject);
        if (all && keep == 0 && upTo == 0) {
            return purge();
        }
        if (all && upTo > 1) {
            return compact(upTo);
        }
        String filter = all ? ">" : subject;
        List<Long> matching = new ArrayList<>();
        for (StoredMessage m : msgs.values()) {
            if (SubjectFilter.matches(filter, m.subject())) {
                matching.add(m.seq());
            }
        }
        if (matching.isEmpty()) {
            return 0;
        }
        long max = Long.MAX_VALUE;
        if (keep > 0) {
            if (keep >= matching.size()) {
                return 0;
            }
            max = matching.size() - keep;
        }
        long bound = upTo >= 1 ? upTo - 1 : last;
        long n = 0;
        for (long s : matching) {
            if (n >= max || s > bound) {
                break;
            }
            msgs.remove(s);
            n++;
        }
        if (n > 0) {
            fixFirst();
        }
        return n;
    }

    long compact(long seq) {
        if (seq == 0) {
            return purge();
        }
        if (first > seq) {
            return 0;
        }
        long before = msgs.size();
        if (seq <= last) {
            msgs.headMap(seq, false).clear();
            fixFirst();
        } else {
            resetTo(seq);
        }
        return before - msgs.size();
    }

    void truncate(long seq) {
        if (seq == 0) {
            resetTo(1);
            lastTs = 0;
            return;
        }
        if (seq > last) {
            throw new SequenceMismatchException(last, seq);
        }
        StoredMessage at = msgs.get(seq);
        msgs.tailMap(seq, false).clear();
        last = seq;
        if (at != null) {
            lastTs = at.tsNanos();
        }
        if (msgs.isEmpty()) {
            first = seq + 1;
            firstTs = 0;
        }
    }

    long expire(long now) {
        if (limits.maxAgeNanos() <= 0) {
            return 0;
        }
        long n = 0;
        while (!msgs.isEmpty() && msgs.firstEntry().getValue().tsNanos() <= now - limits.maxAgeNanos()) {
            remove(msgs.firstKey());
            n++;
        }
        return n;
    }

    void syncDeleted(List<long[]> ranges) {
        boolean removed = false;
        for (long[] r : ranges) {
            if (msgs.isEmpty() || r[0] > last) {
                continue;
            }
            for (long s = r[0]; s <= Math.min(r[1], last); s++) {
                removed |= msgs.remove(s) != null;
            }
        }
        if (removed) {
            fixFirst();
        }
    }
}
