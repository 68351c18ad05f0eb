package io.jscluster.raft.sim;

import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A path on a {@link SimDisk}: {@code /}-separated names, absolute or relative. Immutable. */
final class SimPath implements Path {

  private final SimFileSystem fs;
  private final boolean absolute;
  private final String[] names;

  SimPath(SimFileSystem fs, boolean absolute, String[] names) {
    this.fs = fs;
    this.absolute = absolute;
    this.names = names;
  }

  static SimPath parse(SimFileSystem fs, String first, String... more) {
    StringBuilder sb = new StringBuilder(first);
    for (String m : more) {
      if (!m.isEmpty()) {
        sb.append('/').append(m);
      }
    }
    String s = sb.toString();
    if (s.indexOf('\0') >= 0) {
      throw new java.nio.file.InvalidPathException(s, "NUL character");
    }
    List<String> parts = new ArrayList<>();
    for (String p : s.split("/")) {
      if (!p.isEmpty()) {
        parts.add(p);
      }
    }
    return new SimPath(fs, s.startsWith("/"), parts.toArray(new String[0]));
  }

  static SimPath check(Path p) {
    if (!(p instanceof SimPath sp)) {
      throw new ProviderMismatchException("not a simulated-disk path: " + p);
    }
    return sp;
  }

  List<String> names() {
    return List.of(names);
  }

  SimDisk disk() {
    return fs.disk();
  }

  @Override
  public SimFileSystem getFileSystem() {
    return fs;
  }

  @Override
  public boolean isAbsolute() {
    return absolute;
  }

  @Override
  public Path getRoot() {
    return absolute ? new SimPath(fs, true, new String[0]) : null;
  }

  @Override
  public Path getFileName() {
    return names.length == 0 ? null : new SimPath(fs, false, new String[] {names[names.length - 1]});
  }

  @Override
  public SimPath getParent() {
    if (names.length == 0 || names.length == 1 && !absolute) {
      return null;
    }
    return new SimPath(fs, absolute, Arrays.copyOf(names, names.length - 1));
  }

  @Override
  public int getNameCount() {
    return names.length;
  }

  @Override
  public Path getName(int index) {
    if (index < 0 || index >= names.length) {
      throw new IllegalArgumentException("no name " + index);
    }
    return new SimPath(fs, false, new String[] {names[index]});
  }

  @Override
  public Path subpath(int beginIndex, int endIndex) {
    if (beginIndex < 0 || endIndex > names.length || beginIndex >= endIndex) {
      throw new IllegalArgumentException("bad subpath " + beginIndex + ".." + endIndex);
    }
    return new SimPath(fs, false, Arrays.copyOfRange(names, beginIndex, endIndex));
  }

  @Override
  public boolean startsWith(Path other) {
    if (!(other instanceof SimPath o) || o.fs != fs || o.absolute != absolute
        || o.names.length > names.length) {
      return false;
    }
    for (int i = 0; i < o.names.length; i++) {
      if (!o.names[i].equals(names[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean endsWith(Path other) {
    if (!(other instanceof SimPath o) || o.fs != fs || o.names.length > names.length
        || o.absolute && (!absolute || o.names.length != names.length)) {
      return false;
    }
    int off = names.length - o.names.length;
    for (int i = 0; i < o.names.length; i++) {
      if (!o.names[i].equals(names[off + i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public SimPath normalize() {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.equals(".")) {
        continue;
      }
      if (n.equals("..") && !out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
        out.remove(out.size() - 1);
      } else if (!(n.equals("..") && absolute)) {
        out.add(n);
      }
    }
    return new SimPath(fs, absolute, out.toArray(new String[0]));
  }

  @Override
  public Path resolve(Path other) {
    SimPath o = check(other);
    if (o.absolute) {
      return o;
    }
    String[] joined = Arrays.copyOf(names, names.length + o.names.length);
    System.arraycopy(o.names, 0, joined, names.length, o.names.length);
    return new SimPath(fs, absolute, joined);
  }

  @Override
  public Path relativize(Path other) {
    SimPath o = check(other);
    if (o.absolute != absolute) {
      throw new IllegalArgumentException("cannot relativize " + other + " against " + this);
    }
    int common = 0;
    while (common < names.length && common < o.names.length
        && names[common].equals(o.names[common])) {
      common++;
    }
    List<String> out = new ArrayList<>();
    for (int i = common; i < names.length; i++) {
      out.add("..");
    }
    out.addAll(Arrays.asList(o.names).subList(common, o.names.length));
    return new SimPath(fs, false, out.toArray(new String[0]));
  }

  @Override
  public URI toUri() {
    return URI.create("simdisk://" + fs.disk().name() + toAbsolutePath());
  }

  @Override
  public SimPath toAbsolutePath() {
    return absolute ? this : new SimPath(fs, true, names);
  }

  @Override
  public Path toRealPath(LinkOption... options) throws java.io.IOException {
    SimPath p = toAbsolutePath().normalize();
    if (fs.disk().lookup(p) == null) {
      throw new java.nio.file.NoSuchFileException(p.toString());
    }
    return p;
  }

  @Override
  public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
      WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("simulated disks cannot be watched");
  }

  @Override
  public int compareTo(Path other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SimPath p && p.fs == fs && p.absolute == absolute
        && Arrays.equals(p.names, names);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(names) * 31 + (absolute ? 1 : 0);
  }

  @Override
  public String toString() {
    String joined = String.join("/", names);
    return absolute ? "/" + joined : joined;
  }
}
