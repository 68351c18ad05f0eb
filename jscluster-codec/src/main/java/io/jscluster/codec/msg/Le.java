package io.jscluster.codec.msg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian reads and writes on byte arrays; callers check bounds first. */
final class Le {

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Le() {}

  static short getShort(byte[] b, int i) {
    return (short) SHORT.get(b, i);
  }

  static int getInt(byte[] b, int i) {
    return (int) INT.get(b, i);
  }

  static long getLong(byte[] b, int i) {
    return (long) LONG.get(b, i);
  }

  static void putShort(byte[] b, int i, int v) {
    SHORT.set(b, i, (short) v);
  }

  static void putInt(byte[] b, int i, int v) {
    INT.set(b, i, v);
  }

  static void putLong(byte[] b, int i, long v) {
    LONG.set(b, i, v);
  }
}
