package io.jscluster.raft.sim;

import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import java.util.Set;

/** The {@link FileSystem} view of one {@link SimDisk}. Always open; closing is not supported. */
final class SimFileSystem extends FileSystem {

  private final SimFileSystemProvider provider;
  private final SimDisk disk;

  SimFileSystem(SimFileSystemProvider provider, SimDisk disk) {
    this.provider = provider;
    this.disk = disk;
  }

  SimDisk disk() {
    return disk;
  }

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("a simulated disk lives as long as its simulation");
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public String getSeparator() {
    return "/";
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    return List.of(getPath("/"));
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return List.of();
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic");
  }

  @Override
  public SimPath getPath(String first, String... more) {
    return SimPath.parse(this, first, more);
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    throw new UnsupportedOperationException("path matchers are not supported on a simulated disk");
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    throw new UnsupportedOperationException("no users on a simulated disk");
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("simulated disks cannot be watched");
  }
}
