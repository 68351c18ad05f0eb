package io.jscluster.raft.state;

import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.PeerStateStore;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.PeerStateCodec;
import io.jscluster.raft.wire.WireFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A group's {@code peers.idx}: its membership, read at startup when no snapshot supplied one.
 *
 * <p>Writes are atomic, durable when {@link #write} returns, and skipped when the encoding equals
 * the last one written through this object; a failed write forgets that cache. Not thread-safe.
 *
 * <p>As a {@link PeerStateStore}, failures surface as {@link LogException}: IO when the file
 * cannot be read or written, CORRUPT when its content is not a peer state.
 */
public final class PeerStateFile implements PeerStateStore {

  /** The file name inside a group's store directory. */
  public static final String FILE_NAME = "peers.idx";

  // 16 MiB holds two million peer ids; anything larger is not a peer state.
  private static final int MAX_FILE_BYTES = 16 * 1024 * 1024;

  private final Path file;
  private byte[] lastWritten;

  /** A handle on {@code peers.idx} inside {@code storeDir}; touches no file. */
  public PeerStateFile(Path storeDir) {
    this.file = storeDir.resolve(FILE_NAME);
  }

  /** The path of the file. */
  public Path path() {
    return file;
  }

  /**
   * Reads the stored peer state; empty when the file does not exist (nats-server's {@code
   * errNoPeerState}).
   *
   * @throws IOException if the file cannot be read
   * @throws WireFormatException if its content is not a peer state
   */
  public Optional<PeerState> read() throws IOException {
    byte[] bytes = DurableFiles.readIfExists(file, MAX_FILE_BYTES);
    if (bytes == null) {
      return Optional.empty();
    }
    PeerState ps = PeerStateCodec.decode(bytes);
    lastWritten = bytes;
    return Optional.of(ps);
  }

  /**
   * Makes {@code ps} durable unless its encoding is what was last written.
   *
   * @return true if the file was written
   * @throws IOException if writing failed; the file then holds the previous state
   */
  public boolean write(PeerState ps) throws IOException {
    byte[] bytes = PeerStateCodec.encode(ps);
    if (Arrays.equals(bytes, lastWritten)) {
      return false;
    }
    lastWritten = null;
    DurableFiles.writeAtomically(file, bytes);
    lastWritten = bytes;
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * @throws LogException IO if the file cannot be read, CORRUPT if it is not a peer state
   */
  @Override
  public Optional<PeerState> load() {
    try {
      return read();
    } catch (WireFormatException e) {
      throw new LogException(LogException.Kind.CORRUPT, -1, file + " is not a peer state: "
          + e.getMessage(), e);
    } catch (IOException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot read " + file, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws LogException IO if writing failed or the state cannot be encoded
   */
  @Override
  public void save(PeerState value) {
    try {
      write(value);
    } catch (IOException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot write " + file, e);
    } catch (WireFormatException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot encode " + value, e);
    }
  }
}
