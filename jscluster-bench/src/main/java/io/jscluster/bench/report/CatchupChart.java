package io.jscluster.bench.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Renders the catch-up chart of the benchmark pages: follower catch-up throughput by message size
 * and lag, read from the JSON results of {@code CatchupBenchmark} ({@code -rf json}), drawn with
 * Java2D (headless) and written as a PNG. Two panels share one layout: payload MB/s on the left,
 * messages/s on the right; each lag (messages published while the follower was down, the
 * benchmark's {@code n}) is a group of bars, one bar per message size and stream storage.
 *
 * <p>Usage: {@code CatchupChart [--title TEXT] [--note TEXT] OUT.png RESULTS.json...}
 */
public final class CatchupChart {

  /** The benchmark whose rows are charted; other rows of a results file are ignored. */
  static final String BENCHMARK = "io.jscluster.bench.cluster.CatchupBenchmark.catchup";

  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xaec7e8), new Color(0xd62728), new Color(0xff9896),
    new Color(0x2ca02c), new Color(0x98df8a), new Color(0x9467bd), new Color(0xc5b0d5)
  };
  private static final int WIDTH = 1100;
  private static final int HEIGHT = 520;

  private CatchupChart() {}

  /**
   * One measured catch-up.
   *
   * @param store the stream's storage ({@code memory} or {@code file})
   * @param size payload bytes per message
   * @param lag messages the follower was behind
   * @param msgsPerSec messages caught up per second
   * @param mbPerSec payload megabytes (10^6 bytes) caught up per second
   * @param variant the benchmark's other parameters as {@code name=value}, sorted, or ""
   */
  public record Point(String store, int size, long lag, double msgsPerSec, double mbPerSec, String variant) {

    /** A point of a run whose only parameters are size, storage and lag. */
    public Point(String store, int size, long lag, double msgsPerSec, double mbPerSec) {
      this(store, size, lag, msgsPerSec, mbPerSec, "");
    }

    /** The series this point belongs to, e.g. {@code 1 KiB memory} or {@code 1 KiB memory progress=true}. */
    public String series() {
      return (size % 1024 == 0 ? size / 1024 + " KiB" : size + " B") + " " + store
          + (variant.isEmpty() ? "" : " " + variant);
    }

    /** Orders series by size, then storage, then variant. */
    String key() {
      return String.format("%08d %s %s", size, store, variant);
    }
  }

  /** Reads the {@link #BENCHMARK} rows of a JMH JSON results file. */
  public static List<Point> read(Path json) {
    try (InputStream in = Files.newInputStream(json)) {
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + json, e);
    }
  }

  /** Reads the {@link #BENCHMARK} rows of JMH JSON results. */
  public static List<Point> read(InputStream in) throws IOException {
    List<Point> out = new ArrayList<>();
    try (JsonParser p = new JsonFactory().createParser(in)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException("JMH results must be a JSON array");
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        Map<String, Object> row = object(p);
        if (!BENCHMARK.equals(row.get("benchmark"))) {
          continue;
        }
        Map<?, ?> params = (Map<?, ?>) row.get("params");
        Map<?, ?> secondary = (Map<?, ?>) row.get("secondaryMetrics");
        if (params == null || secondary == null) {
          throw new IOException("a " + BENCHMARK + " row without params or secondaryMetrics");
        }
        java.util.TreeMap<String, String> others = new java.util.TreeMap<>();
        for (Map.Entry<?, ?> e : params.entrySet()) {
          String k = String.valueOf(e.getKey());
          if (!k.equals("store") && !k.equals("size") && !k.equals("n")) {
            others.put(k, String.valueOf(e.getValue()));
          }
        }
        StringBuilder variant = new StringBuilder();
        others.forEach((k, v) -> variant.append(variant.length() == 0 ? "" : " ").append(k).append('=').append(v));
        out.add(new Point(String.valueOf(params.get("store")), Integer.parseInt(String.valueOf(params.get("size"))),
            Long.parseLong(String.valueOf(params.get("n"))), score(secondary, "msgsPerSec"),
            score(secondary, "mbPerSec"), variant.toString()));
      }
    }
    return out;
  }

  private static double score(Map<?, ?> secondary, String name) throws IOException {
    Object m = secondary.get(name);
    if (!(m instanceof Map<?, ?> mm) || !(mm.get("score") instanceof Number n)) {
      throw new IOException("no secondary metric " + name);
    }
    return n.doubleValue();
  }

  /** Reads the object the parser is at (its START_OBJECT consumed) into maps, lists and scalars. */
  private static Map<String, Object> object(JsonParser p) throws IOException {
    Map<String, Object> m = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      m.put(name, value(p));
    }
    return m;
  }

  private static Object value(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT:
        return object(p);
      case START_ARRAY: {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(value(p));
        }
        return l;
      }
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_NULL:
        return null;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      default:
        return p.getText();
    }
  }

  /** Draws the chart of {@code points}; {@code note} (may be empty) goes under the title. */
  public static BufferedImage render(List<Point> points, String title, String note) {
    if (points.isEmpty()) {
      throw new IllegalArgumentException("no " + BENCHMARK + " results to chart");
    }
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      g.drawString(title, 20, 30);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.setColor(Color.DARK_GRAY);
      g.drawString(note, 20, 50);

      List<String> series = new ArrayList<>(new TreeSet<>(points.stream().map(Point::key).toList()));
      Map<String, Color> colors = new HashMap<>();
      int lx = 20;
      int ly = 62;
      for (int i = 0; i < series.size(); i++) {
        String key = series.get(i);
        Point any = points.stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
        int w = 40 + g.getFontMetrics().stringWidth(any.series());
        if (lx > 20 && lx + w > WIDTH - 20) {
          lx = 20; // wrap the legend
          ly += 20;
        }
        Color c = PALETTE[i % PALETTE.length];
        colors.put(key, c);
        g.setColor(c);
        g.fillRect(lx, ly, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString(any.series(), lx + 20, ly + 12);
        lx += w;
      }
      List<Long> lags = new ArrayList<>(new TreeSet<>(points.stream().map(Point::lag).toList()));
      int top = ly + 46;
      int bottom = HEIGHT - 50;
      int half = WIDTH / 2;
      panel(g, points, series, colors, lags, 70, top, half - 30, bottom, "payload MB/s", true);
      panel(g, points, series, colors, lags, half + 70, top, WIDTH - 30, bottom, "messages/s", false);
    } finally {
      g.dispose();
    }
    return img;
  }

  private static void panel(Graphics2D g, List<Point> points, List<String> series, Map<String, Color> colors,
      List<Long> lags, int x0, int y0, int x1, int y1, String label, boolean mb) {
    double max = 0;
    for (Point p : points) {
      max = Math.max(max, mb ? p.mbPerSec() : p.msgsPerSec());
    }
    double step = niceStep(max / 5);
    double top = Math.max(step, Math.ceil(max / step) * step);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    for (double v = 0; v <= top + step / 2; v += step) {
      int y = y1 - (int) Math.round((y1 - y0) * v / top);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(x0, y, x1, y);
      g.setColor(Color.DARK_GRAY);
      String t = axisLabel(v, step);
      g.drawString(t, x0 - 6 - fm.stringWidth(t), y + 4);
    }
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1));
    g.drawLine(x0, y0, x0, y1);
    g.drawLine(x0, y1, x1, y1);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString(label, x0, y0 - 10);

    int groupWidth = (x1 - x0) / lags.size();
    int barWidth = Math.max(6, Math.min(48, (groupWidth - 20) / series.size()));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    fm = g.getFontMetrics();
    for (int gi = 0; gi < lags.size(); gi++) {
      long lag = lags.get(gi);
      int gx = x0 + gi * groupWidth + (groupWidth - barWidth * series.size()) / 2;
      for (int si = 0; si < series.size(); si++) {
        String key = series.get(si);
        Point p = points.stream().filter(q -> q.lag() == lag && q.key().equals(key)).findFirst().orElse(null);
        if (p == null) {
          continue;
        }
        double v = mb ? p.mbPerSec() : p.msgsPerSec();
        int h = (int) Math.round((y1 - y0) * v / top);
        int bx = gx + si * barWidth;
        g.setColor(colors.get(key));
        g.fillRect(bx + 1, y1 - h, barWidth - 2, h);
        g.setColor(Color.BLACK);
        String t = valueLabel(v);
        g.drawString(t, bx + (barWidth - fm.stringWidth(t)) / 2, y1 - h - 3);
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      String t = String.format(Locale.ROOT, "lag %,d msgs", lag);
      FontMetrics lf = g.getFontMetrics();
      g.drawString(t, x0 + gi * groupWidth + (groupWidth - lf.stringWidth(t)) / 2, y1 + 18);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    }
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (raw <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String axisLabel(double v, double step) {
    if (step >= 1_000_000) {
      return String.format(Locale.ROOT, "%.0fM", v / 1e6);
    }
    if (step >= 1_000 && v >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    }
    if (step >= 1) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, step >= 0.1 ? "%.1f" : "%.2f", v);
  }

  private static String valueLabel(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
  }

  /** Renders the results files named on the command line; see the class comment. */
  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    String title = "Follower catch-up throughput by message size and lag (R3, real time)";
    String note = "";
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if ("--title".equals(args[i]) && i + 1 < args.length) {
        title = args[++i];
      } else if ("--note".equals(args[i]) && i + 1 < args.length) {
        note = args[++i];
      } else {
        rest.add(args[i]);
      }
    }
    if (rest.size() < 2) {
      System.err.println("usage: CatchupChart [--title TEXT] [--note TEXT] OUT.png RESULTS.json...");
      System.exit(2);
      return;
    }
    List<Point> points = new ArrayList<>();
    for (String f : rest.subList(1, rest.size())) {
      points.addAll(read(Paths.get(f)));
    }
    Path out = Paths.get(rest.get(0));
    ImageIO.write(render(points, title, note), "png", out.toFile());
    System.out.println("wrote " + out + " (" + points.size() + " results)");
  }
}
