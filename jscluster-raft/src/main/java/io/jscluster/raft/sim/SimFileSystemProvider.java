package io.jscluster.raft.sim;

import io.jscluster.raft.sim.SimDisk.Inode;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provider behind every {@link SimDisk}'s file system: the operations {@code java.nio.file}
 * needs to create, open, list, rename and delete files and directories, each recorded in the
 * disk's durability model. Symbolic links, attributes beyond the basic ones, copies and file stores
 * are not supported.
 */
final class SimFileSystemProvider extends FileSystemProvider {

  private static final FileTime EPOCH = FileTime.fromMillis(0);

  @Override
  public String getScheme() {
    return "simdisk";
  }

  @Override
  public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
    throw new UnsupportedOperationException("create simulated disks with new SimDisk(name)");
  }

  @Override
  public FileSystem getFileSystem(URI uri) {
    throw new UnsupportedOperationException("simulated disks are not registered by URI");
  }

  @Override
  public Path getPath(URI uri) {
    throw new UnsupportedOperationException("simulated disks are not registered by URI");
  }

  @Override
  public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    return newFileChannel(path, options, attrs);
  }

  @Override
  public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    SimPath p = SimPath.check(path).toAbsolutePath();
    SimDisk disk = p.disk();
    boolean write = options.contains(StandardOpenOption.WRITE)
        || options.contains(StandardOpenOption.APPEND);
    boolean read = options.contains(StandardOpenOption.READ) || !write;
    Inode node = disk.lookup(p);
    if (node == null) {
      boolean create = write && (options.contains(StandardOpenOption.CREATE)
          || options.contains(StandardOpenOption.CREATE_NEW));
      if (!create) {
        throw new NoSuchFileException(p.toString());
      }
      Inode parent = parentDirectory(p);
      disk.checkWritable("create " + p);
      mutation(disk);
      node = Inode.file();
      parent.link(lastName(p), node);
    } else if (options.contains(StandardOpenOption.CREATE_NEW)) {
      throw new FileAlreadyExistsException(p.toString());
    } else if (node.dir && write) {
      throw new FileSystemException(p.toString(), null, "is a directory");
    } else if (write && options.contains(StandardOpenOption.TRUNCATE_EXISTING)
        && node.data.size > 0) {
      disk.checkWritable("truncate " + p);
      mutation(disk);
      node.truncate(0);
    }
    return new SimFileChannel(disk, p, node, read, write,
        options.contains(StandardOpenOption.APPEND));
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir,
      DirectoryStream.Filter<? super Path> filter) throws IOException {
    SimPath p = SimPath.check(dir);
    Inode node = p.disk().lookup(p);
    if (node == null) {
      throw new NoSuchFileException(p.toString());
    }
    if (!node.dir) {
      throw new NotDirectoryException(p.toString());
    }
    List<Path> out = new ArrayList<>();
    for (String name : node.entries.keySet()) {
      Path child = p.resolve(name);
      if (filter.accept(child)) {
        out.add(child);
      }
    }
    return new DirectoryStream<>() {
      private boolean iterated;

      @Override
      public Iterator<Path> iterator() {
        if (iterated) {
          throw new IllegalStateException("iterator already obtained");
        }
        iterated = true;
        return out.iterator();
      }

      @Override
      public void close() {
      }
    };
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    SimPath p = SimPath.check(dir).toAbsolutePath();
    if (p.getNameCount() == 0 || p.disk().lookup(p) != null) {
      throw new FileAlreadyExistsException(p.toString());
    }
    Inode parent = parentDirectory(p);
    p.disk().checkWritable("mkdir " + p);
    mutation(p.disk());
    parent.link(lastName(p), Inode.directory());
  }

  @Override
  public void delete(Path path) throws IOException {
    SimPath p = SimPath.check(path).toAbsolutePath();
    Inode node = p.disk().lookup(p);
    if (node == null || p.getNameCount() == 0) {
      throw new NoSuchFileException(p.toString());
    }
    if (node.dir && !node.entries.isEmpty()) {
      throw new DirectoryNotEmptyException(p.toString());
    }
    p.disk().checkWritable("delete " + p);
    mutation(p.disk());
    parentDirectory(p).unlink(lastName(p));
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) {
    throw new UnsupportedOperationException("copy is not supported on a simulated disk");
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    SimPath from = SimPath.check(source).toAbsolutePath();
    SimPath to = SimPath.check(target).toAbsolutePath();
    SimDisk disk = from.disk();
    if (to.disk() != disk) {
      throw new UnsupportedOperationException("move between simulated disks");
    }
    Inode node = disk.lookup(from);
    if (node == null) {
      throw new NoSuchFileException(from.toString());
    }
    Inode existing = disk.lookup(to);
    if (existing != null) {
      if (!Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING)) {
        throw new FileAlreadyExistsException(to.toString());
      }
      if (existing.dir && !existing.entries.isEmpty()) {
        throw new DirectoryNotEmptyException(to.toString());
      }
    }
    Inode fromDir = parentDirectory(from);
    Inode toDir = parentDirectory(to);
    disk.checkWritable("rename " + from + " to " + to);
    mutation(disk);
    if (fromDir == toDir) {
      fromDir.rename(lastName(from), lastName(to));
    } else {
      // Not atomic across directories: a crash may keep either name, or both.
      toDir.link(lastName(to), node);
      fromDir.unlink(lastName(from));
    }
  }

  @Override
  public boolean isSameFile(Path path, Path path2) {
    return SimPath.check(path).toAbsolutePath().normalize()
        .equals(SimPath.check(path2).toAbsolutePath().normalize());
  }

  @Override
  public boolean isHidden(Path path) {
    return false;
  }

  @Override
  public FileStore getFileStore(Path path) {
    throw new UnsupportedOperationException("no file stores on a simulated disk");
  }

  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    SimPath p = SimPath.check(path);
    if (p.disk().lookup(p) == null) {
      throw new NoSuchFileException(p.toString());
    }
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type,
      LinkOption... options) {
    return null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type,
      LinkOption... options) throws IOException {
    if (type != BasicFileAttributes.class) {
      throw new UnsupportedOperationException("only basic attributes on a simulated disk");
    }
    SimPath p = SimPath.check(path);
    Inode node = p.disk().lookup(p);
    if (node == null) {
      throw new NoSuchFileException(p.toString());
    }
    return (A) new Attributes(node.dir, node.dir ? 0 : node.data.size, System.identityHashCode(node));
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
      throws IOException {
    BasicFileAttributes a = readAttributes(path, BasicFileAttributes.class, options);
    return Map.of("size", a.size(), "isDirectory", a.isDirectory(), "isRegularFile",
        a.isRegularFile());
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
    throw new UnsupportedOperationException("attributes cannot be set on a simulated disk");
  }

  private static void mutation(SimDisk disk) {
    disk.beforeMutation(0);
    if (disk.powerLost()) {
      throw disk.powerLoss();
    }
  }

  private static Inode parentDirectory(SimPath p) throws IOException {
    SimPath parent = p.getParent();
    Inode dir = parent == null ? null : p.disk().lookup(parent);
    if (dir == null) {
      throw new NoSuchFileException(String.valueOf(parent));
    }
    if (!dir.dir) {
      throw new NotDirectoryException(parent.toString());
    }
    return dir;
  }

  private static String lastName(SimPath p) {
    return p.getFileName().toString();
  }

  /** Basic attributes; times are not modelled. */
  private record Attributes(boolean directory, long length, int key)
      implements BasicFileAttributes {
    @Override
    public FileTime lastModifiedTime() {
      return EPOCH;
    }

    @Override
    public FileTime lastAccessTime() {
      return EPOCH;
    }

    @Override
    public FileTime creationTime() {
      return EPOCH;
    }

    @Override
    public boolean isRegularFile() {
      return !directory;
    }

    @Override
    public boolean isDirectory() {
      return directory;
    }

    @Override
    public boolean isSymbolicLink() {
      return false;
    }

    @Override
    public boolean isOther() {
      return false;
    }

    @Override
    public long size() {
      return length;
    }

    @Override
    public Object fileKey() {
      return key;
    }
  }
}
