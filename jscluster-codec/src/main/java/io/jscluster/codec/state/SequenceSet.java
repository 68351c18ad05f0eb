package io.jscluster.codec.state;

import io.jscluster.codec.CodecException;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * A set of unsigned 64-bit sequences held as an AVL tree of 2,048-sequence bitmap nodes, the
 * structure nats-server uses for deleted-message maps ({@code avl.SequenceSet}).
 *
 * <p>Insert, delete and rebalance follow the Go algorithm step for step, so replaying the same
 * operations gives the same tree shape and therefore the same {@link #encode() encoding} byte for
 * byte. Sequences compare unsigned. Not thread-safe.
 */
public final class SequenceSet implements DeleteBlock {

  /** First byte of an encoded set. */
  public static final byte MAGIC = 22;
  /** The encoding version written. */
  public static final byte VERSION = 2;

  static final int BUCKETS = 32;
  static final int ENTRIES = BUCKETS * 64;
  private static final int HEADER = 10;
  private static final int NODE_BYTES_V2 = 8 + BUCKETS * 8 + 2;
  private static final int V1_BUCKETS = 64;
  private static final int NODE_BYTES_V1 = 8 + V1_BUCKETS * 8 + 2;
  /**
   * Deepest tree a decoder accepts. An AVL tree of 2^32 nodes is at most ~46 deep, so no encoding
   * of a real set comes near; the bound keeps a hostile degenerate tree from costing quadratic
   * time or deep recursion.
   */
  static final int MAX_DECODED_DEPTH = 64;

  /** One tree node: the bitmap of {@code [base, base + 2048)}. */
  static final class Node {
    long base;
    final long[] bits = new long[BUCKETS];
    Node left;
    Node right;
    int height;

    Node(long base, int height) {
      this.base = base;
      this.height = height;
    }
  }

  private Node root;
  private long size;
  private int nodes;
  // Reused by insert/delete to report whether a bit changed, as in the Go tree.
  private boolean changed;

  /** Creates an empty set. */
  public SequenceSet() {}

  /** The number of sequences in the set. */
  public long size() {
    return size;
  }

  /** The number of tree nodes. */
  public int nodes() {
    return nodes;
  }

  /** True when the set has no tree at all (a set seeded by {@link #setInitialMin} is not). */
  public boolean isEmpty() {
    return root == null;
  }

  /** Removes every sequence and node. */
  public void clear() {
    root = null;
    size = 0;
    nodes = 0;
  }

  private static boolean below(long seq, Node n) {
    return Long.compareUnsigned(seq, n.base) < 0;
  }

  /** Whether {@code seq} lies beyond the node; the end wraps like the Go uint64 sum does. */
  private static boolean beyond(long seq, Node n) {
    return Long.compareUnsigned(seq, n.base + ENTRIES) >= 0;
  }

  /** Adds {@code seq}; rebalances exactly as nats-server does when a node is created. */
  public void insert(long seq) {
    for (Node n = root; n != null; ) {
      if (below(seq, n)) {
        n = n.left;
      } else if (beyond(seq, n)) {
        n = n.right;
      } else {
        // An existing node covers seq, so setting the bit cannot change the shape.
        if (setBit(n, seq)) {
          size++;
        }
        return;
      }
    }
    root = insert(root, seq);
    if (changed) {
      changed = false;
      size++;
    }
  }

  /**
   * Adds every sequence of {@code [first, last]} (unsigned, {@code first <= last}), leaving exactly the tree that
   * {@link #insert(long)} of each of them in ascending order leaves, in time proportional to the nodes the range
   * touches rather than to its length: a run of sequences one node covers is set in bulk, and a node is created
   * (and the tree rebalanced) where the first uncovered sequence of a run would create it.
   *
   * @throws IllegalArgumentException if {@code first > last}
   */
  public void insertRange(long first, long last) {
    if (Long.compareUnsigned(first, last) > 0) {
      throw new IllegalArgumentException("range " + Long.toUnsignedString(first) + ".."
          + Long.toUnsignedString(last) + " is empty");
    }
    long seq = first;
    while (true) {
      // The node one insert(seq) would set the bit in, and the last sequence that takes the same path: a left
      // turn at a node bounds the run below that node's base.
      long bound = last;
      Node n = root;
      while (n != null) {
        if (below(seq, n)) {
          if (Long.compareUnsigned(n.base - 1, bound) < 0) {
            bound = n.base - 1;
          }
          n = n.left;
        } else if (beyond(seq, n)) {
          n = n.right;
        } else {
          break;
        }
      }
      if (n == null) {
        // No node covers seq: create it as insert does, then fill the rest of its run on the next pass.
        insert(seq);
        if (seq == last) {
          return;
        }
        seq++;
        continue;
      }
      long nodeLast = n.base + (ENTRIES - 1);
      if (Long.compareUnsigned(nodeLast, n.base) < 0) {
        nodeLast = -1L;
      }
      long to = Long.compareUnsigned(nodeLast, bound) < 0 ? nodeLast : bound;
      size += setBits(n, seq - n.base, to - n.base);
      if (to == last) {
        return;
      }
      seq = to + 1;
    }
  }

  /** Sets the bits of offsets {@code [from, to]} of {@code n}; returns how many were not set before. */
  private static int setBits(Node n, long from, long to) {
    int added = 0;
    int lo = (int) from;
    int hi = (int) to;
    for (int w = lo >>> 6; w <= hi >>> 6; w++) {
      long mask = -1L;
      if (w == lo >>> 6) {
        mask &= -1L << (lo & 63);
      }
      if (w == hi >>> 6) {
        mask &= -1L >>> (63 - (hi & 63));
      }
      added += Long.bitCount(mask & ~n.bits[w]);
      n.bits[w] |= mask;
    }
    return added;
  }

  /** True iff {@code seq} is in the set. */
  public boolean contains(long seq) {
    for (Node n = root; n != null; ) {
      if (below(seq, n)) {
        n = n.left;
      } else if (beyond(seq, n)) {
        n = n.right;
      } else {
        long off = seq - n.base;
        return (n.bits[(int) (off >>> 6)] & (1L << off)) != 0;
      }
    }
    return false;
  }

  /**
   * Seeds an empty set with a root node starting exactly at {@code min} (not rounded), which
   * packs a stream's deletes tighter when its first sequence is known.
   *
   * @throws IllegalStateException if the set is not empty
   */
  public void setInitialMin(long min) {
    if (!isEmpty()) {
      throw new IllegalStateException("sequence set not empty");
    }
    root = new Node(min, 1);
    nodes = 1;
  }

  /**
   * Removes {@code seq}, dropping a node that becomes empty and rebalancing as nats-server does.
   *
   * @return whether the sequence was present
   */
  public boolean delete(long seq) {
    if (root == null) {
      return false;
    }
    root = delete(root, seq);
    if (changed) {
      changed = false;
      size--;
      if (size == 0) {
        clear();
      }
      return true;
    }
    return false;
  }

  private static boolean setBit(Node n, long seq) {
    long off = seq - n.base;
    int i = (int) (off >>> 6);
    long mask = 1L << off;
    if ((n.bits[i] & mask) == 0) {
      n.bits[i] |= mask;
      return true;
    }
    return false;
  }

  private Node insert(Node n, long seq) {
    if (n == null) {
      Node created = new Node(seq & -ENTRIES, 1);
      changed |= setBit(created, seq);
      nodes++;
      return created;
    }
    if (below(seq, n)) {
      n.left = insert(n.left, seq);
    } else if (beyond(seq, n)) {
      n.right = insert(n.right, seq);
    } else {
      changed |= setBit(n, seq);
    }
    n.height = maxChildHeight(n) + 1;
    return rebalance(n);
  }

  private static Node rebalance(Node n) {
    int bf = balance(n);
    if (bf > 1) {
      if (balance(n.left) < 0) {
        n.left = rotateLeft(n.left);
      }
      return rotateRight(n);
    } else if (bf < -1) {
      if (balance(n.right) > 0) {
        n.right = rotateRight(n.right);
      }
      return rotateLeft(n);
    }
    return n;
  }

  private static Node rotateLeft(Node n) {
    Node r = n.right;
    if (r != null) {
      n.right = r.left;
      r.left = n;
      n.height = maxChildHeight(n) + 1;
      r.height = maxChildHeight(r) + 1;
    } else {
      n.height = maxChildHeight(n) + 1;
    }
    return r;
  }

  private static Node rotateRight(Node n) {
    Node l = n.left;
    if (l != null) {
      n.left = l.right;
      l.right = n;
      n.height = maxChildHeight(n) + 1;
      l.height = maxChildHeight(l) + 1;
    } else {
      n.height = maxChildHeight(n) + 1;
    }
    return l;
  }

  private static int balance(Node n) {
    if (n == null) {
      return 0;
    }
    int lh = n.left == null ? 0 : n.left.height;
    int rh = n.right == null ? 0 : n.right.height;
    return lh - rh;
  }

  private static int maxChildHeight(Node n) {
    if (n == null) {
      return 0;
    }
    int lh = n.left == null ? 0 : n.left.height;
    int rh = n.right == null ? 0 : n.right.height;
    return Math.max(lh, rh);
  }

  /** Clears the bit; returns true if the node is now empty (only checked when a bit changed). */
  private boolean clearBit(Node n, long seq) {
    long off = seq - n.base;
    int i = (int) (off >>> 6);
    long mask = 1L << off;
    if ((n.bits[i] & mask) == 0) {
      return false;
    }
    n.bits[i] &= ~mask;
    changed = true;
    for (long b : n.bits) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private Node delete(Node n, long seq) {
    if (n == null) {
      return null;
    }
    if (below(seq, n)) {
      n.left = delete(n.left, seq);
    } else if (beyond(seq, n)) {
      n.right = delete(n.right, seq);
    } else if (clearBit(n, seq)) {
      nodes--;
      if (n.left == null) {
        n = n.right;
      } else if (n.right == null) {
        n = n.left;
      } else {
        // Both children: hang the left subtree under the smallest end of the right one.
        n.right = insertNodePrev(n.right, n.left);
        n = n.right;
      }
    }
    if (n != null) {
      n.height = maxChildHeight(n) + 1;
    }
    return rebalance(n);
  }

  private static Node insertNodePrev(Node n, Node smaller) {
    if (n.left == null) {
      n.left = smaller;
    } else {
      n.left = insertNodePrev(n.left, smaller);
    }
    n.height = maxChildHeight(n) + 1;
    return rebalance(n);
  }

  /**
   * The smallest sequence, taken from the leftmost node; 0 when empty (and, as in Go, when that
   * node is an empty seeded root).
   */
  public long min() {
    Node n = root;
    if (n == null) {
      return 0;
    }
    while (n.left != null) {
      n = n.left;
    }
    for (int i = 0; i < BUCKETS; i++) {
      if (n.bits[i] != 0) {
        return n.base + i * 64L + Long.numberOfTrailingZeros(n.bits[i]);
      }
    }
    return 0;
  }

  /** The largest sequence, taken from the rightmost node; 0 when empty. */
  public long max() {
    Node n = root;
    if (n == null) {
      return 0;
    }
    while (n.right != null) {
      n = n.right;
    }
    for (int i = BUCKETS - 1; i >= 0; i--) {
      if (n.bits[i] != 0) {
        return n.base + i * 64L + 63 - Long.numberOfLeadingZeros(n.bits[i]);
      }
    }
    return 0;
  }

  @Override
  public long first() {
    return min();
  }

  @Override
  public long last() {
    return root == null ? 0 : max();
  }

  @Override
  public long num() {
    return size;
  }

  /** Visits members in ascending order until {@code f} returns false. */
  @Override
  public boolean forEach(LongPredicate f) {
    return iterate(root, f);
  }

  private static boolean iterate(Node n, LongPredicate f) {
    if (n == null) {
      return true;
    }
    if (!iterate(n.left, f)) {
      return false;
    }
    for (int i = 0; i < BUCKETS; i++) {
      long b = n.bits[i];
      long base = n.base + i * 64L;
      while (b != 0) {
        if (!f.test(base + Long.numberOfTrailingZeros(b))) {
          return false;
        }
        b &= b - 1;
      }
    }
    return iterate(n.right, f);
  }

  /** A deep copy with the same tree shape, so it encodes to the same bytes. */
  public SequenceSet copy() {
    SequenceSet c = new SequenceSet();
    c.root = copy(root);
    c.size = size;
    c.nodes = nodes;
    return c;
  }

  private static Node copy(Node n) {
    if (n == null) {
      return null;
    }
    Node c = new Node(n.base, n.height);
    System.arraycopy(n.bits, 0, c.bits, 0, BUCKETS);
    c.left = copy(n.left);
    c.right = copy(n.right);
    return c;
  }

  /**
   * Adds every member of {@code other} in the order nats-server's {@code Union} method uses (its
   * nodes in pre-order, each node's members ascending), so the resulting shape matches Go's.
   */
  public void addAll(SequenceSet other) {
    addPreOrder(other.root);
  }

  private void addPreOrder(Node n) {
    while (n != null) {
      for (int i = 0; i < BUCKETS; i++) {
        long b = n.bits[i];
        long base = n.base + i * 64L;
        while (b != 0) {
          insert(base + Long.numberOfTrailingZeros(b));
          b &= b - 1;
        }
      }
      addPreOrder(n.left);
      n = n.right;
    }
  }

  /** True when both sets hold exactly the same sequences (tree shapes may differ). */
  public boolean sameMembers(SequenceSet other) {
    if (isEmpty() || other.isEmpty()) {
      return isEmpty() && other.isEmpty();
    }
    if (size != other.size) {
      return false;
    }
    return forEach(other::contains);
  }

  /** Members as maximal runs of consecutive sequences, each {@code {from, to}}, ascending. */
  public List<long[]> ranges() {
    List<long[]> out = new ArrayList<>();
    forEach(
        seq -> {
          long[] lastRun = out.isEmpty() ? null : out.get(out.size() - 1);
          if (lastRun != null && lastRun[1] + 1 == seq) {
            lastRun[1] = seq;
          } else {
            out.add(new long[] {seq, seq});
          }
          return true;
        });
    return out;
  }

  /** The exact length of {@link #encode()}: {@code 10 + 266 * nodes}. */
  public int encodedLength() {
    return HEADER + nodes * NODE_BYTES_V2;
  }

  /** Encodes the set (version 2, nodes in pre-order). */
  public byte[] encode() {
    byte[] out = new byte[encodedLength()];
    encode(out, 0);
    return out;
  }

  /**
   * Writes the encoding into {@code dst} at {@code off}; the caller provides
   * {@link #encodedLength()} bytes of room.
   *
   * @return the offset just past the encoding
   */
  public int encode(byte[] dst, int off) {
    dst[off] = MAGIC;
    dst[off + 1] = VERSION;
    Le.putInt(dst, off + 2, nodes);
    Le.putInt(dst, off + 6, (int) size);
    return encodeNodes(root, dst, off + HEADER);
  }

  private static int encodeNodes(Node n, byte[] dst, int p) {
    while (n != null) {
      Le.putLong(dst, p, n.base);
      p += 8;
      for (int i = 0; i < BUCKETS; i++) {
        Le.putLong(dst, p, n.bits[i]);
        p += 8;
      }
      Le.putShort(dst, p, n.height);
      p += 2;
      p = encodeNodes(n.left, dst, p);
      n = n.right;
    }
    return p;
  }

  /** Appends the encoding to {@code out}. */
  public void encode(ByteBuf out) {
    out.ensureWritable(encodedLength());
    out.writeByte(MAGIC);
    out.writeByte(VERSION);
    out.writeIntLE(nodes);
    out.writeIntLE((int) size);
    encodeNodes(root, out);
  }

  private static void encodeNodes(Node n, ByteBuf out) {
    while (n != null) {
      out.writeLongLE(n.base);
      for (int i = 0; i < BUCKETS; i++) {
        out.writeLongLE(n.bits[i]);
      }
      out.writeShortLE(n.height);
      encodeNodes(n.left, out);
      n = n.right;
    }
  }

  /** A decoded set and the number of input bytes it occupied. */
  public record Decoded(SequenceSet set, int consumed) {}

  /** As {@link #decode(byte[], int, int)} over the whole array. */
  public static Decoded decode(byte[] buf) {
    return decode(buf, 0, buf.length);
  }

  /**
   * Decodes a set in version 2 (nodes rebuilt as written, keeping their heights) or legacy
   * version 1 (64-bucket nodes, members re-inserted one by one and the count checked). Bytes
   * after the set are left to the caller.
   *
   * @throws CodecException on a bad magic, an unknown version, a node count the input cannot
   *     hold, a version 1 count mismatch, or a version 2 tree deeper than any AVL tree could be
   */
  public static Decoded decode(byte[] buf, int off, int len) {
    if (len < HEADER || buf[off] != MAGIC) {
      throw new CodecException("seqset.magic", 0, "not a sequence set encoding");
    }
    int version = buf[off + 1];
    long nn = Le.getInt(buf, off + 2) & 0xffff_ffffL;
    long sz = Le.getInt(buf, off + 6) & 0xffff_ffffL;
    if (version == 2) {
      if (nn > (len - HEADER) / NODE_BYTES_V2) {
        throw new CodecException(
            "seqset.nodes", 2, "node count " + nn + " exceeds what " + len + " bytes hold");
      }
      SequenceSet ss = new SequenceSet();
      ss.size = sz;
      int p = off + HEADER;
      for (int i = 0; i < nn; i++) {
        Node n = new Node(Le.getLong(buf, p), 0);
        p += 8;
        for (int b = 0; b < BUCKETS; b++) {
          n.bits[b] = Le.getLong(buf, p);
          p += 8;
        }
        n.height = Le.getShort(buf, p) & 0xffff;
        p += 2;
        if (!ss.insertDecodedNode(n)) {
          throw new CodecException(
              "seqset.nodes", p - off - NODE_BYTES_V2, "tree deeper than " + MAX_DECODED_DEPTH);
        }
      }
      return new Decoded(ss, p - off);
    }
    if (version == 1) {
      if (nn > (len - HEADER) / NODE_BYTES_V1) {
        throw new CodecException(
            "seqset.nodes", 2, "node count " + nn + " exceeds what " + len + " bytes hold");
      }
      SequenceSet ss = new SequenceSet();
      int p = off + HEADER;
      for (int i = 0; i < nn; i++) {
        long base = Le.getLong(buf, p);
        p += 8;
        for (int b = 0; b < V1_BUCKETS; b++) {
          long bits = Le.getLong(buf, p);
          p += 8;
          while (bits != 0) {
            ss.insert(base + b * 64L + Long.numberOfTrailingZeros(bits));
            bits &= bits - 1;
          }
        }
        p += 2;
      }
      if (ss.size != sz) {
        throw new CodecException(
            "seqset.size", 6, "declared " + sz + " members, decoded " + ss.size);
      }
      return new Decoded(ss, p - off);
    }
    throw new CodecException("seqset.version", 1, "unknown sequence set version " + version);
  }

  /** Places a decoded node by plain BST descent on base; false if it lands too deep. */
  private boolean insertDecodedNode(Node n) {
    nodes++;
    if (root == null) {
      root = n;
      return true;
    }
    int depth = 1;
    for (Node p = root; ; depth++) {
      if (depth >= MAX_DECODED_DEPTH) {
        return false;
      }
      if (Long.compareUnsigned(n.base, p.base) < 0) {
        if (p.left == null) {
          p.left = n;
          return true;
        }
        p = p.left;
      } else {
        if (p.right == null) {
          p.right = n;
          return true;
        }
        p = p.right;
      }
    }
  }

  /** The number of bits set in every node, pre-order, paired with base and height (tests). */
  List<long[]> nodeSummary() {
    List<long[]> out = new ArrayList<>();
    summarize(root, out);
    return out;
  }

  private static void summarize(Node n, List<long[]> out) {
    if (n == null) {
      return;
    }
    int count = 0;
    for (long b : n.bits) {
      count += Long.bitCount(b);
    }
    out.add(new long[] {n.base, n.height, count});
    summarize(n.left, out);
    summarize(n.right, out);
  }

  @Override
  public String toString() {
    return "SequenceSet{size=" + Long.toUnsignedString(size) + ", nodes=" + nodes + "}";
  }
}
