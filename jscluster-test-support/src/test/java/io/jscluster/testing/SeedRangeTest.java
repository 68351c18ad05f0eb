package io.jscluster.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeedRangeTest {
  @Test
  void defaultCountAppliesWhenNoneConfigured() {
    SeedRange range = new SeedRange(7, 3);
    assertThat(range.seed(0)).isEqualTo(7);
    assertThat(range.seed(2)).isEqualTo(9);
  }

  @Test
  void vectorsFolderResolvesAgainstRepositoryRoot() {
    // The build always passes the property; with shared/ beside the checkout the folder exists.
    assertThat(System.getProperty(GoldenVectors.PROPERTY)).isNotBlank();
  }
}
