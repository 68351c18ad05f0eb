package io.jscluster.raft.sim;

import io.jscluster.raft.sim.SimDisk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A channel on one file (or, for forcing, one directory) of a {@link SimDisk}. Writes change the
 * file's current content at once; {@link #force(boolean)} makes them durable. A crash of the disk
 * invalidates the channel: every later call fails with {@link ClosedChannelException}.
 */
final class SimFileChannel extends FileChannel {

  private final SimDisk disk;
  private final SimPath path;
  private final Inode node;
  private final boolean readable;
  private final boolean writable;
  private final boolean append;
  private final long generation;
  private long position;
  private Lock lock;

  SimFileChannel(SimDisk disk, SimPath path, Inode node, boolean readable, boolean writable,
      boolean append) {
    this.disk = disk;
    this.path = path;
    this.node = node;
    this.readable = readable;
    this.writable = writable;
    this.append = append;
    this.generation = disk.generation();
  }

  private void check() throws ClosedChannelException {
    if (!isOpen() || generation != disk.generation()) {
      throw new ClosedChannelException();
    }
  }

  private void checkFile() throws IOException {
    check();
    if (node.dir) {
      throw new IOException(path + " is a directory");
    }
  }

  private void checkRead() throws IOException {
    checkFile();
    if (!readable) {
      throw new NonReadableChannelException();
    }
  }

  private void checkWrite() throws IOException {
    checkFile();
    if (!writable) {
      throw new NonWritableChannelException();
    }
    disk.checkWritable("write " + path);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = read(dst, position);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      int n = read(dsts[i]);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      total += n;
      if (dsts[i].hasRemaining()) {
        break;
      }
    }
    return total;
  }

  @Override
  public int read(ByteBuffer dst, long at) throws IOException {
    checkRead();
    if (at < 0) {
      throw new IllegalArgumentException("negative position");
    }
    int size = node.data.size;
    if (at >= size) {
      return -1;
    }
    int n = (int) Math.min(dst.remaining(), size - at);
    dst.put(node.data.bytes, (int) at, n);
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (append) {
      position = node.data.size;
    }
    int n = write(src, position);
    position += n;
    return n;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += write(srcs[i]);
    }
    return total;
  }

  @Override
  public int write(ByteBuffer src, long at) throws IOException {
    checkWrite();
    if (at < 0) {
      throw new IllegalArgumentException("negative position");
    }
    byte[] bytes = new byte[src.remaining()];
    src.get(bytes);
    int reached = disk.beforeMutation(bytes.length);
    if (disk.powerLost()) {
      if (reached > 0) {
        node.write(at, java.util.Arrays.copyOf(bytes, reached));
      }
      throw disk.powerLoss();
    }
    node.write(at, bytes);
    return bytes.length;
  }

  @Override
  public long position() throws IOException {
    check();
    return position;
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    check();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position");
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    checkFile();
    return node.data.size;
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    checkWrite();
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
    if (size < node.data.size) {
      mutation();
      node.truncate(size);
    }
    position = Math.min(position, size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    check();
    disk.checkWritable("force " + path);
    mutation();
    node.force();
    disk.countForce();
  }

  private void mutation() {
    disk.beforeMutation(0);
    if (disk.powerLost()) {
      throw disk.powerLoss();
    }
  }

  @Override
  public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
    checkRead();
    int size = node.data.size;
    if (at >= size) {
      return 0;
    }
    int n = (int) Math.min(count, size - at);
    return target.write(ByteBuffer.wrap(node.data.bytes, (int) at, n).slice());
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long at, long count) throws IOException {
    checkWrite();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
    long total = 0;
    while (total < count) {
      buf.clear().limit((int) Math.min(buf.capacity(), count - total));
      int n = src.read(buf);
      if (n <= 0) {
        break;
      }
      buf.flip();
      total += write(buf, at + total);
    }
    return total;
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long at, long size) {
    throw new UnsupportedOperationException("memory mapping is not supported on a simulated disk");
  }

  @Override
  public FileLock lock(long at, long size, boolean shared) throws IOException {
    FileLock l = tryLock(at, size, shared);
    if (l == null) {
      throw new IOException(path + " is locked by another channel");
    }
    return l;
  }

  @Override
  public FileLock tryLock(long at, long size, boolean shared) throws IOException {
    checkFile();
    if (node.locked) {
      return null;
    }
    node.locked = true;
    lock = new Lock(this, at, size, shared);
    return lock;
  }

  @Override
  protected void implCloseChannel() {
    if (lock != null) {
      lock.release();
    }
  }

  /** A whole-file lock, released with its channel. */
  private final class Lock extends FileLock {
    private boolean valid = true;

    Lock(FileChannel channel, long at, long size, boolean shared) {
      super(channel, at, size, shared);
    }

    @Override
    public boolean isValid() {
      return valid && generation == disk.generation();
    }

    @Override
    public void release() {
      if (valid) {
        valid = false;
        node.locked = false;
      }
    }
  }
}
