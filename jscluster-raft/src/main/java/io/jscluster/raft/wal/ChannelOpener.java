package io.jscluster.raft.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** How the WAL opens its segment files; tests substitute channels that fail on demand. */
@FunctionalInterface
interface ChannelOpener {

  /** The platform default. */
  ChannelOpener DEFAULT = FileChannel::open;

  /** Opens {@code path} with {@code options}. */
  FileChannel open(Path path, OpenOption... options) throws IOException;
}
