package io.jscluster.raft.state;

import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.wire.WireFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A group's {@code tav.idx}: the term and vote that must be durable before a vote is granted or
 * requested.
 *
 * <p>Writes are atomic and durable when {@link #write} returns (the directory's own entry
 * included: the first write fsyncs its parent), and skipped when the bytes equal
 * the last ones written through this object. A failed write forgets that cache, so the next write
 * is attempted again; the caller decides whether the failure is fatal (NRG makes it the node's
 * sticky write error). Not thread-safe: one owner (the group's state machine) uses it.
 *
 * <p>As a {@link TermVoteStore}, failures surface as {@link LogException} of kind IO.
 */
public final class TermVoteFile implements TermVoteStore {

  /** The file name inside a group's store directory. */
  public static final String FILE_NAME = "tav.idx";

  /**
   * The file holding the data-loss mark ({@link #dataLossTerm()}), next to {@code tav.idx}: 8
   * bytes, the term little-endian. Not an NRG file (NRG has no such mark); absent means 0, so
   * directories NRG wrote read as unmarked.
   */
  public static final String DATA_LOSS_FILE_NAME = "lost.idx";

  // Anything bigger than this is not a tav.idx; refuse before allocating.
  private static final int MAX_FILE_BYTES = 64 * 1024;

  private final Path file;
  private final Path lossFile;
  private byte[] lastWritten;
  private boolean dirDurable;

  /** A handle on {@code tav.idx} inside {@code storeDir}; touches no file. */
  public TermVoteFile(Path storeDir) {
    this.file = storeDir.resolve(FILE_NAME);
    this.lossFile = storeDir.resolve(DATA_LOSS_FILE_NAME);
  }

  /** The path of the file. */
  public Path path() {
    return file;
  }

  /**
   * Reads the stored term and vote; a missing file gives {@link TermVote#NONE}, a short file is
   * read leniently (see {@link TermVoteCodec}).
   *
   * @throws IOException if the file exists but cannot be read
   */
  public TermVote read() throws IOException {
    byte[] bytes = DurableFiles.readIfExists(file, MAX_FILE_BYTES);
    if (bytes == null) {
      return TermVote.NONE;
    }
    lastWritten = bytes;
    return TermVoteCodec.decode(bytes);
  }

  /**
   * Makes {@code tv} durable, unless it is exactly what was last written.
   *
   * @return true if the file was written, false if it already held these bytes
   * @throws IOException if writing failed; the on-disk file then holds the previous value
   */
  public boolean write(TermVote tv) throws IOException {
    byte[] bytes = TermVoteCodec.encode(tv);
    if (Arrays.equals(bytes, lastWritten)) {
      return false;
    }
    lastWritten = null;
    ensureDirectory();
    DurableFiles.writeAtomically(file, bytes);
    lastWritten = bytes;
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * @throws LogException IO if the file exists but cannot be read
   */
  @Override
  public TermVote load() {
    try {
      return read();
    } catch (IOException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot read " + file, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws LogException IO if {@code lost.idx} exists but cannot be read or is not 8 bytes
   */
  @Override
  public long dataLossTerm() {
    byte[] b;
    try {
      b = DurableFiles.readIfExists(lossFile, MAX_FILE_BYTES);
    } catch (IOException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot read " + lossFile, e);
    }
    if (b == null) {
      return 0;
    }
    if (b.length != 8) {
      throw new LogException(LogException.Kind.CORRUPT, -1, lossFile + " holds " + b.length
          + " bytes, not 8");
    }
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  /**
   * {@inheritDoc} Written atomically like {@code tav.idx}.
   *
   * @throws LogException IO if writing failed
   */
  @Override
  public void saveDataLossTerm(long term) {
    if (term < 0) {
      throw new IllegalArgumentException("negative term");
    }
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (term >>> (8 * i));
    }
    try {
      ensureDirectory();
      DurableFiles.writeAtomically(lossFile, b);
    } catch (IOException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot write " + lossFile, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws LogException IO if writing failed, or if the vote is not a valid id (longer than 8
   *     bytes or not single-byte chars)
   */
  @Override
  public void save(TermVote value) {
    try {
      write(value);
    } catch (IOException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot write " + file, e);
    } catch (WireFormatException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot encode " + value, e);
    }
  }

  /**
   * Before the first write: creates the directory durably, or fsyncs the parent of an existing one
   * once, since it may have been created by a process that crashed before its entry was durable.
   */
  private void ensureDirectory() throws IOException {
    if (!dirDurable) {
      Path dir = file.toAbsolutePath().getParent();
      if (!DurableFiles.createDirectories(dir)) {
        DurableFiles.syncParent(dir);
      }
      dirDurable = true;
    }
  }
}
