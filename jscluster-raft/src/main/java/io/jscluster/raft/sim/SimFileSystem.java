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
    int colon = syntaxAndPattern.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected syntax:pattern, got " + syntaxAndPattern);
    }
    String syntax = syntaxAndPattern.substring(0, colon);
    String pattern = syntaxAndPattern.substring(colon + 1);
    java.util.regex.Pattern regex;
    if (syntax.equalsIgnoreCase("regex")) {
      regex = java.util.regex.Pattern.compile(pattern);
    } else if (syntax.equalsIgnoreCase("glob")) {
      regex = java.util.regex.Pattern.compile(globToRegex(pattern));
    } else {
      throw new UnsupportedOperationException("syntax " + syntax + " is not supported");
    }
    return path -> regex.matcher(path.toString()).matches();
  }

  /** The regular expression of a glob: {@code *}, {@code **}, {@code ?}, {@code [...]} and {@code {a,b}}. */
  static String globToRegex(String glob) {
    StringBuilder b = new StringBuilder();
    boolean inGroup = false;
    for (int i = 0; i < glob.length(); i++) {
      char ch = glob.charAt(i);
      switch (ch) {
        case '*' -> {
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            b.append(".*");
            i++;
          } else {
            b.append("[^/]*");
          }
        }
        case '?' -> b.append("[^/]");
        case '[' -> {
          int end = glob.indexOf(']', i + 1);
          if (end < 0) {
            throw new java.util.regex.PatternSyntaxException("unclosed [", glob, i);
          }
          String cls = glob.substring(i + 1, end);
          b.append('[').append(cls.startsWith("!") ? "^" + cls.substring(1) : cls).append(']');
          i = end;
        }
        case '{' -> {
          b.append("(?:");
          inGroup = true;
        }
        case '}' -> {
          b.append(')');
          inGroup = false;
        }
        case ',' -> b.append(inGroup ? "|" : ",");
        case '\\' -> {
          if (++i < glob.length()) {
            b.append(java.util.regex.Pattern.quote(String.valueOf(glob.charAt(i))));
          }
        }
        default -> b.append(java.util.regex.Pattern.quote(String.valueOf(ch)));
      }
    }
    return b.toString();
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
