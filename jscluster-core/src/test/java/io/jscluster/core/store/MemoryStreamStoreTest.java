package io.jscluster.core.store;

/** The conformance suite against {@link MemoryStreamStore}. */
class MemoryStreamStoreTest extends StreamStoreConformanceTest {
    @Override
    protected StreamStore create(StreamLimits limits) {
        return new MemoryStreamStore(limits, clock::get);
    }

    @Override
    protected long size(String subject, byte[] hdr, byte[] data) {
        return MessageSize.memoryStore(subject.length(), hdr.length, data.length);
    }
}
