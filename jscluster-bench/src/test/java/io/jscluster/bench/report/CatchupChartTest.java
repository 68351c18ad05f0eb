package io.jscluster.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catch-up chart reads JMH JSON and draws one bar per result. */
class CatchupChartTest {

  private static String row(String benchmark, int size, String store, long n, double msgs, double mb) {
    return "{\"benchmark\":\"" + benchmark + "\",\"mode\":\"ss\",\"params\":{\"n\":\"" + n + "\",\"size\":\"" + size
        + "\",\"store\":\"" + store + "\"},\"primaryMetric\":{\"score\":1.5,\"scoreUnit\":\"ms/op\","
        + "\"rawData\":[[1.0,2.0]]},\"secondaryMetrics\":{\"msgsPerSec\":{\"score\":" + msgs
        + "},\"mbPerSec\":{\"score\":" + mb + "}}}";
  }

  private static List<CatchupChart.Point> parse(String json) throws IOException {
    return CatchupChart.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsOnlyCatchupRows() throws IOException {
    String json = "[" + row(CatchupChart.BENCHMARK, 128, "memory", 5000, 3898.5, 0.499) + ","
        + row("io.jscluster.bench.cluster.PublishBenchmark.pipelined", 128, "memory", 1, 9, 9) + ","
        + row(CatchupChart.BENCHMARK, 1024, "file", 100000, 973.2, 0.997) + "]";
    List<CatchupChart.Point> points = parse(json);
    assertThat(points).containsExactly(
        new CatchupChart.Point("memory", 128, 5000, 3898.5, 0.499),
        new CatchupChart.Point("file", 1024, 100000, 973.2, 0.997));
    assertThat(points.get(1).series()).isEqualTo("1 KiB file");
  }

  @Test
  void otherParametersMakeTheirOwnSeries() throws IOException {
    String json = "[" + row(CatchupChart.BENCHMARK, 128, "memory", 5000, 1, 1).replace("\"n\":", "\"progress\":\"true\",\"n\":")
        + "]";
    List<CatchupChart.Point> points = parse(json);
    assertThat(points).hasSize(1);
    assertThat(points.get(0).variant()).isEqualTo("progress=true");
    assertThat(points.get(0).series()).isEqualTo("128 B memory progress=true");
  }

  @Test
  void rejectsWhatIsNotJmhResults() {
    assertThatThrownBy(() -> parse("{\"benchmark\":1}")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> parse("[{\"benchmark\":\"" + CatchupChart.BENCHMARK + "\"}]"))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> CatchupChart.render(List.of(), "t", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void drawsABarPerResultScaledToTheLargest() {
    System.setProperty("java.awt.headless", "true");
    List<CatchupChart.Point> points = List.of(
        new CatchupChart.Point("memory", 128, 1000, 4000, 0.5),
        new CatchupChart.Point("memory", 128, 10000, 8000, 1.0));
    BufferedImage img = CatchupChart.render(points, "title", "note");
    assertThat(img.getWidth()).isEqualTo(1100);
    assertThat(img.getHeight()).isEqualTo(520);
    int bar = 0x1f77b4; // the first series' colour
    int left = 0;
    int right = 0;
    for (int x = 0; x < img.getWidth(); x++) {
      for (int y = 100; y < img.getHeight() - 50; y++) {
        if ((img.getRGB(x, y) & 0xffffff) == bar) {
          if (x < img.getWidth() / 2) {
            left++;
          } else {
            right++;
          }
        }
      }
    }
    assertThat(left).isPositive();
    assertThat(right).isPositive();
  }

  @Test
  void axisStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(CatchupChart.niceStep(0.3)).isEqualTo(0.5);
    assertThat(CatchupChart.niceStep(780)).isEqualTo(1000);
    assertThat(CatchupChart.niceStep(1500)).isEqualTo(2000);
    assertThat(CatchupChart.niceStep(0)).isEqualTo(1);
  }
}
