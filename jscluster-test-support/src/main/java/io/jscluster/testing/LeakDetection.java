package io.jscluster.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension, registered automatically for every test class of every module, that turns
 * Netty's leak reports into test failures.
 *
 * <p>Netty only logs leaks; a log line does not fail a build. This extension installs a
 * {@link ResourceLeakDetectorFactory} whose detectors record every report, forces the
 * collector to run after each test class, and fails that class if anything leaked. The level
 * is PARANOID unless {@code io.netty.leakDetection.level} says otherwise.
 */
public final class LeakDetection implements BeforeAllCallback, AfterAllCallback {

  private static final List<String> LEAKS = new ArrayList<>();

  static {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  /** Creates the extension; JUnit instantiates it through the service loader. */
  public LeakDetection() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    drain();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = drain();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "Netty reported " + leaks.size() + " leaked buffer(s) in " + context.getDisplayName()
              + ":\n" + String.join("\n", leaks));
    }
  }

  /** Collects garbage, provokes the detectors to poll their queues, and returns what they found. */
  private static List<String> drain() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      // A detector reports a collected, unreleased buffer only when a new buffer is tracked.
      ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(1);
      probe.release();
      ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(1);
      direct.release();
    }
    synchronized (LEAKS) {
      List<String> copy = new ArrayList<>(LEAKS);
      LEAKS.clear();
      return copy;
    }
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      record(resourceType + " leaked:" + records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      record(resourceType + " leaked (no access records)");
    }

    private static void record(String leak) {
      synchronized (LEAKS) {
        LEAKS.add(leak);
      }
    }
  }
}
