package io.jscluster.core.store;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The conformance suite against {@link FileStreamStore} with small blocks, so block boundaries are crossed. */
class FileStreamStoreTest extends StreamStoreConformanceTest {
    @TempDir
    Path tmp;
    private final AtomicInteger n = new AtomicInteger();

    @Override
    protected StreamStore create(StreamLimits limits) {
        return FileStreamStore.open(FileStoreConfig.of(tmp.resolve("s" + n.incrementAndGet())).withBlockSize(1024)
                .withLimits(limits).withClock(clock::get).withIndexCacheBlocks(2));
    }

    @Override
    protected long size(String subject, byte[] hdr, byte[] data) {
        return MessageSize.fileStore(subject.length(), hdr.length, data.length);
    }
}
