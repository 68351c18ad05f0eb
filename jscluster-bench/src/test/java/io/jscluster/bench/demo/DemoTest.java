package io.jscluster.bench.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs the README's demo end to end at a small size, and checks its option handling. */
class DemoTest {

  private record Result(int status, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Demo.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void smallMemoryRunPassesEveryCheck() {
    Result r = run("--count", "2000", "--size", "64");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("[6/6] cluster info of DEMO")
        .contains("catch-up of")
        .contains("all checks passed")
        .containsPattern("n[123] +4,000 ");
  }

  @Test
  void smallFileRunPassesEveryCheck() {
    Result r = run("--count", "300", "--file");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("file stores under").contains("all checks passed");
  }

  @Test
  void badOptionsExitWithStatusTwo() {
    assertThat(run("--size", "4").status()).isEqualTo(2);
    assertThat(run("--replicas", "9").status()).isEqualTo(2);
    assertThat(run("--bogus").err()).contains("unknown option --bogus");
    assertThat(run("--help").out()).contains("--count N");
  }

  @Test
  void payloadCarriesItsIndex() {
    Publisher p = new Publisher(null, "n1", "S", "s", 16, 1);
    assertThat(Publisher.indexOf(p.payload(0))).isZero();
    assertThat(Publisher.indexOf(p.payload(123_456_789_012L))).isEqualTo(123_456_789_012L);
    assertThat(p.payload(7)).hasSize(16);
  }

  @Test
  void progressBarIsClamped() {
    assertThat(Progress.bar(0, 10)).startsWith("[....").endsWith("  0%");
    assertThat(Progress.bar(5, 10)).contains("50%");
    assertThat(Progress.bar(20, 10)).endsWith("100%").doesNotContain(".");
  }
}
