package dev.dispatcher.service.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CronExpressionTest {

  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static ZonedDateTime utc(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(UTC);
  }

  /** The next {@code count} fire times after {@code start}. */
  private static List<ZonedDateTime> fires(String expression, ZonedDateTime start, int count) {
    CronExpression cron = CronExpression.parse(expression);
    List<ZonedDateTime> result = new ArrayList<>();
    ZonedDateTime t = start;
    for (int i = 0; i < count; i++) {
      t = cron.next(t);
      result.add(t);
    }
    return result;
  }

  private static List<ZonedDateTime> utcTimes(String... localDateTimes) {
    List<ZonedDateTime> result = new ArrayList<>();
    for (String text : localDateTimes) {
      result.add(utc(text));
    }
    return result;
  }

  @Test
  void everyFiveMinutes() {
    assertThat(fires("*/5 * * * *", utc("2025-06-10T10:02:30"), 4))
        .containsExactlyElementsOf(utcTimes("2025-06-10T10:05", "2025-06-10T10:10", "2025-06-10T10:15", "2025-06-10T10:20"));
    assertThat(fires("*/5 * * * *", utc("2025-06-10T23:57"), 2))
        .containsExactlyElementsOf(utcTimes("2025-06-11T00:00", "2025-06-11T00:05"));
  }

  @Test
  void nextIsStrictlyAfterEvenOnAFireTime() {
    CronExpression cron = CronExpression.parse("*/5 * * * *");
    assertThat(cron.next(utc("2025-06-10T10:05"))).isEqualTo(utc("2025-06-10T10:10"));
    assertThat(cron.next(utc("2025-06-10T10:04:59.999999999"))).isEqualTo(utc("2025-06-10T10:05"));
    assertThat(cron.next(utc("2025-06-10T10:05:00.000000001"))).isEqualTo(utc("2025-06-10T10:10"));
  }

  @Test
  void everyMinuteFiresOnWholeMinutesOnly() {
    CronExpression cron = CronExpression.parse("* * * * *");
    ZonedDateTime t = utc("2025-06-10T00:00");
    int count = 0;
    while (t.isBefore(utc("2025-06-11T00:00"))) {
      t = cron.next(t);
      assertThat(t.getSecond()).isZero();
      assertThat(t.getNano()).isZero();
      count++;
    }
    assertThat(count).isEqualTo(1440);
  }

  @Test
  void fixedTimes() {
    assertThat(fires("30 2 * * *", utc("2025-06-10T03:00"), 2))
        .containsExactlyElementsOf(utcTimes("2025-06-11T02:30", "2025-06-12T02:30"));
    assertThat(fires("0 * * * *", utc("2025-06-10T22:59:59"), 3))
        .containsExactlyElementsOf(utcTimes("2025-06-10T23:00", "2025-06-11T00:00", "2025-06-11T01:00"));
    assertThat(fires("15 10 1 1 *", utc("2025-06-10T00:00"), 2))
        .containsExactlyElementsOf(utcTimes("2026-01-01T10:15", "2027-01-01T10:15"));
  }

  @Test
  void rangesStepsAndLists() {
    assertThat(fires("1-10/3 * * * *", utc("2025-06-10T10:00"), 5))
        .containsExactlyElementsOf(utcTimes("2025-06-10T10:01", "2025-06-10T10:04", "2025-06-10T10:07", "2025-06-10T10:10",
            "2025-06-10T11:01"));
    assertThat(fires("5,10,50-52 * * * *", utc("2025-06-10T10:06"), 5))
        .containsExactlyElementsOf(utcTimes("2025-06-10T10:10", "2025-06-10T10:50", "2025-06-10T10:51", "2025-06-10T10:52",
            "2025-06-10T11:05"));
    assertThat(fires("0 9-17/4 * * *", utc("2025-06-10T09:00"), 4))
        .containsExactlyElementsOf(utcTimes("2025-06-10T13:00", "2025-06-10T17:00", "2025-06-11T09:00", "2025-06-11T13:00"));
    assertThat(fires("0 0 1,15 */3 *", utc("2025-01-20T00:00"), 4)) // months 1, 4, 7, 10
        .containsExactlyElementsOf(utcTimes("2025-04-01T00:00", "2025-04-15T00:00", "2025-07-01T00:00", "2025-07-15T00:00"));
    assertThat(CronExpression.parse("0-59/15 * * * *")).isEqualTo(CronExpression.parse("*/15 * * * *"))
        .isEqualTo(CronExpression.parse("0,15,30,45 * * * *"));
  }

  @Test
  void monthAndDayNamesInAnyCase() {
    assertThat(CronExpression.parse("0 0 1 jan,Mar-MAY *")).isEqualTo(CronExpression.parse("0 0 1 1,3-5 *"));
    assertThat(CronExpression.parse("0 12 * * mon-FRI")).isEqualTo(CronExpression.parse("0 12 * * 1-5"));
    assertThat(CronExpression.parse("0 0 * JAN-DEC/2 sun,Sat")).isEqualTo(CronExpression.parse("0 0 * 1-12/2 0,6"));
    // 2025-06-13 is a Friday: the next weekday noons are Friday then Monday
    assertThat(fires("0 12 * * MON-FRI", utc("2025-06-13T11:00"), 2))
        .containsExactlyElementsOf(utcTimes("2025-06-13T12:00", "2025-06-16T12:00"));
  }

  @Test
  void sevenAndZeroAreBothSunday() {
    CronExpression seven = CronExpression.parse("0 0 * * 7");
    assertThat(seven).isEqualTo(CronExpression.parse("0 0 * * 0")).isEqualTo(CronExpression.parse("0 0 * * SUN"));
    ZonedDateTime next = seven.next(utc("2025-06-11T08:00")); // a Wednesday
    assertThat(next).isEqualTo(utc("2025-06-15T00:00"));
    assertThat(next.getDayOfWeek()).isEqualTo(DayOfWeek.SUNDAY);
    // 5-7: Friday, Saturday, Sunday
    assertThat(fires("0 0 * * 5-7", utc("2025-06-11T00:00"), 4)).extracting(ZonedDateTime::getDayOfWeek)
        .containsExactly(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY, DayOfWeek.FRIDAY);
  }

  @Test
  void whenDayOfMonthAndDayOfWeekAreBothRestrictedEitherMatches() {
    // the 13th, and every Friday: in July 2025 the Fridays are 4, 11, 18, 25 and the 13th is a Sunday
    assertThat(fires("0 0 13 * FRI", utc("2025-07-01T00:00"), 5))
        .containsExactlyElementsOf(utcTimes("2025-07-04T00:00", "2025-07-11T00:00", "2025-07-13T00:00", "2025-07-18T00:00",
            "2025-07-25T00:00"));
  }

  @Test
  void whenOneDayFieldStartsWithAStarBothMustMatch() {
    // day-of-week unrestricted: the 1st only
    assertThat(fires("0 0 1 * *", utc("2025-06-10T00:00"), 2)).containsExactlyElementsOf(utcTimes("2025-07-01T00:00", "2025-08-01T00:00"));
    // day-of-month unrestricted: Mondays only
    assertThat(fires("0 0 * * MON", utc("2025-06-10T00:00"), 2)).containsExactlyElementsOf(utcTimes("2025-06-16T00:00", "2025-06-23T00:00"));
    // Vixie cron: "*/2" starts with a star, so it is ANDed: odd days that are Mondays (June 2025 Mondays: 2, 9, 16, 23, 30)
    assertThat(fires("0 0 */2 * MON", utc("2025-06-01T00:00"), 3))
        .containsExactlyElementsOf(utcTimes("2025-06-09T00:00", "2025-06-23T00:00", "2025-07-07T00:00"));
  }

  @Test
  void monthEndsAreSkippedWhenTheDayDoesNotExist() {
    assertThat(fires("0 0 31 * *", utc("2025-01-31T00:00"), 4))
        .containsExactlyElementsOf(utcTimes("2025-03-31T00:00", "2025-05-31T00:00", "2025-07-31T00:00", "2025-08-31T00:00"));
    assertThat(fires("0 0 30 * *", utc("2025-01-30T00:00"), 2)).containsExactlyElementsOf(utcTimes("2025-03-30T00:00", "2025-04-30T00:00"));
    assertThat(fires("59 23 28-31 2 *", utc("2025-02-27T00:00"), 2)) // 2025 is not a leap year, 2028 is
        .containsExactlyElementsOf(utcTimes("2025-02-28T23:59", "2026-02-28T23:59"));
  }

  @Test
  void februaryTheTwentyNinthOnlyInLeapYears() {
    assertThat(fires("0 0 29 2 *", utc("2025-01-01T00:00"), 3))
        .containsExactlyElementsOf(utcTimes("2028-02-29T00:00", "2032-02-29T00:00", "2036-02-29T00:00"));
    // 2100 is not a leap year
    assertThat(CronExpression.parse("0 0 29 2 *").next(utc("2096-03-01T00:00"))).isEqualTo(utc("2104-02-29T00:00"));
    // on a Monday too (both restricted: either matches), so Mondays in February as well
    assertThat(fires("0 0 29 2 MON", utc("2028-02-20T00:00"), 3))
        .containsExactlyElementsOf(utcTimes("2028-02-21T00:00", "2028-02-28T00:00", "2028-02-29T00:00"));
  }

  @Test
  void parisSpringForwardSkipsTheTimesThatDoNotExist() {
    // 2025-03-30: at 02:00 CET the clocks go to 03:00 CEST; 02:00-02:59 does not exist
    ZonedDateTime before = ZonedDateTime.of(2025, 3, 29, 3, 0, 0, 0, PARIS);
    assertThat(fires("30 2 * * *", before, 2)).containsExactly(
        ZonedDateTime.of(2025, 3, 31, 2, 30, 0, 0, PARIS),
        ZonedDateTime.of(2025, 4, 1, 2, 30, 0, 0, PARIS));

    List<ZonedDateTime> quarterHours = fires("*/15 * * * *", ZonedDateTime.of(2025, 3, 30, 1, 40, 0, 0, PARIS), 3);
    assertThat(quarterHours).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString)
        .containsExactly("2025-03-30T01:45+01:00", "2025-03-30T03:00+02:00", "2025-03-30T03:15+02:00");
    assertThat(Duration.between(quarterHours.get(0), quarterHours.get(1))).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void parisFallBackFiresARepeatedTimeOnce() {
    // 2025-10-26: at 03:00 CEST the clocks go back to 02:00 CET; 02:00-02:59 happens twice
    List<ZonedDateTime> nightly = fires("30 2 * * *", ZonedDateTime.of(2025, 10, 25, 12, 0, 0, 0, PARIS), 3);
    assertThat(nightly).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString)
        .containsExactly("2025-10-26T02:30+02:00", "2025-10-27T02:30+01:00", "2025-10-28T02:30+01:00");

    // every quarter of an hour: the repeated hour fires once (at its first occurrence), then 03:00 CET
    List<ZonedDateTime> quarterHours = fires("*/15 * * * *", ZonedDateTime.of(2025, 10, 26, 1, 50, 0, 0, PARIS), 6);
    assertThat(quarterHours).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString)
        .containsExactly("2025-10-26T02:00+02:00", "2025-10-26T02:15+02:00", "2025-10-26T02:30+02:00", "2025-10-26T02:45+02:00",
            "2025-10-26T03:00+01:00", "2025-10-26T03:15+01:00");

    // asked from inside the second occurrence, the repeated times have already fired
    ZonedDateTime secondOccurrence = ZonedDateTime.ofStrict(LocalDateTime.of(2025, 10, 26, 2, 10), ZoneOffset.ofHours(1), PARIS);
    assertThat(CronExpression.parse("*/15 * * * *").next(secondOccurrence).toOffsetDateTime())
        .hasToString("2025-10-26T03:00+01:00");
    assertThat(CronExpression.parse("30 2 * * *").next(secondOccurrence).toOffsetDateTime()).hasToString("2025-10-27T02:30+01:00");
  }

  @Test
  void newYorkSpringForwardAndFallBack() {
    // 2025-03-09: 02:00 EST -> 03:00 EDT
    assertThat(fires("0 2 * * *", ZonedDateTime.of(2025, 3, 8, 12, 0, 0, 0, NEW_YORK), 2))
        .extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString)
        .containsExactly("2025-03-10T02:00-04:00", "2025-03-11T02:00-04:00");
    assertThat(fires("0 * * * *", ZonedDateTime.of(2025, 3, 9, 0, 30, 0, 0, NEW_YORK), 3))
        .extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString)
        .containsExactly("2025-03-09T01:00-05:00", "2025-03-09T03:00-04:00", "2025-03-09T04:00-04:00");

    // 2025-11-02: 02:00 EDT -> 01:00 EST; 01:00-01:59 happens twice
    assertThat(fires("30 1 * * *", ZonedDateTime.of(2025, 11, 1, 12, 0, 0, 0, NEW_YORK), 2))
        .extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString)
        .containsExactly("2025-11-02T01:30-04:00", "2025-11-03T01:30-05:00");
    List<ZonedDateTime> hourly = fires("0 * * * *", ZonedDateTime.of(2025, 11, 2, 0, 30, 0, 0, NEW_YORK), 3);
    assertThat(hourly).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString)
        .containsExactly("2025-11-02T01:00-04:00", "2025-11-02T02:00-05:00", "2025-11-02T03:00-05:00");
    assertThat(Duration.between(hourly.get(0), hourly.get(1))).isEqualTo(Duration.ofHours(2)); // 01:00 EST did not fire
  }

  @Test
  void theResultIsInTheZoneOfTheArgument() {
    CronExpression cron = CronExpression.parse("0 9 * * *");
    ZonedDateTime paris = cron.next(ZonedDateTime.of(2025, 6, 10, 10, 0, 0, 0, PARIS));
    assertThat(paris).isEqualTo(ZonedDateTime.of(2025, 6, 11, 9, 0, 0, 0, PARIS));
    // the same instant seen from UTC: 9:00 is matched against UTC's local time instead
    assertThat(cron.next(paris.withZoneSameInstant(UTC))).isEqualTo(utc("2025-06-11T09:00"));
  }

  @Test
  void macros() {
    assertThat(CronExpression.parse("@hourly")).isEqualTo(CronExpression.parse("0 * * * *"));
    assertThat(CronExpression.parse("@daily")).isEqualTo(CronExpression.parse("0 0 * * *"));
    assertThat(CronExpression.parse("@midnight")).isEqualTo(CronExpression.parse("0 0 * * *"));
    assertThat(CronExpression.parse("@weekly")).isEqualTo(CronExpression.parse("0 0 * * 0"));
    assertThat(CronExpression.parse("@monthly")).isEqualTo(CronExpression.parse("0 0 1 * *"));
    assertThat(CronExpression.parse("@YEARLY")).isEqualTo(CronExpression.parse("0 0 1 1 *"));
    assertThat(CronExpression.parse("@annually")).isEqualTo(CronExpression.parse("0 0 1 1 *"));
  }

  @Test
  void whitespaceIsFlexibleAndTheTextIsKept() {
    CronExpression cron = CronExpression.parse("  */5\t*  * * *  ");
    assertThat(cron).isEqualTo(CronExpression.parse("*/5 * * * *"));
    assertThat(cron).hasToString("*/5 * * * *");
  }

  @Test
  void invalidExpressionsNameTheField() {
    String[][] cases = {
        {"61 * * * *", "minute field '61': 61 is out of range 0-59"},
        {"* 24 * * *", "hour field '24': 24 is out of range 0-23"},
        {"* * 0 * *", "day-of-month field '0': 0 is out of range 1-31"},
        {"* * 32 * *", "day-of-month field '32'"},
        {"* * * 13 *", "month field '13': 13 is out of range 1-12"},
        {"* * * 0 *", "month field '0'"},
        {"* * * * 8", "day-of-week field '8': 8 is out of range 0-7"},
        {"* * * FOO *", "month field 'FOO': 'FOO' is not a number (or JAN-DEC)"},
        {"* * * * MON-", "day-of-week field 'MON-': '' is not a number"},
        {"* * * * JAN", "day-of-week field 'JAN'"},
        {"JAN * * * *", "minute field 'JAN': 'JAN' is not a number"},
        {"*/0 * * * *", "minute field '*/0': step 0 is out of range 1-59"},
        {"*/x * * * *", "minute field '*/x': step 'x' is not a whole number"},
        {"5/15 * * * *", "minute field '5/15': a step needs * or a range"},
        {"10-5 * * * *", "minute field '10-5': range 10-5 goes backwards"},
        {"1,,2 * * * *", "minute field '1,,2': empty list item"},
        {"-1 * * * *", "minute field '-1'"},
        {"* * ? * *", "day-of-month field '?'"},
        {"* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4"},
        {"* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6"},
        {"", "empty"},
        {"@every 5m", "unknown macro '@every 5m'"},
        {"0 0 30 2 *", "day-of-month field '30' never occurs in month field '2'"},
        {"0 0 31 4,6,9,11 *", "day-of-month field '31' never occurs"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> CronExpression.parse(c[0])).as(c[0]).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void agreesWithAMinuteByMinuteSearch() {
    String[] expressions = {"*/7 * * * *", "0 */5 * * *", "15 3 * * 1-5", "0 0 13 * FRI", "30 12 1,15 * *",
        "0 0 */2 * MON", "5-10 22 * 2,3,9 *", "0 0 29 2 *", "59 23 * * SUN", "*/20 9-17 * * MON-FRI"};
    Random random = new Random(42);
    for (String expression : expressions) {
      CronExpression cron = CronExpression.parse(expression);
      String[] f = expression.split(" ");
      for (int i = 0; i < 20; i++) {
        ZonedDateTime start = utc("2024-01-01T00:00").plusMinutes(random.nextInt(3 * 365 * 24 * 60)).plusSeconds(random.nextInt(60));
        ZonedDateTime expected = start.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        while (!naiveMatch(f, expected)) {
          expected = naiveDayMatch(f, expected) ? expected.plusMinutes(1) : expected.truncatedTo(ChronoUnit.DAYS).plusDays(1);
        }
        assertThat(cron.next(start)).as("%s after %s", expression, start).isEqualTo(expected);
      }
    }
  }

  /** A direct reading of the rules, for a few simple forms, to check the fast search against. */
  private static boolean naiveMatch(String[] f, ZonedDateTime t) {
    return fieldMatch(f[0], t.getMinute(), 0, 59) && fieldMatch(f[1], t.getHour(), 0, 23) && naiveDayMatch(f, t);
  }

  private static boolean naiveDayMatch(String[] f, ZonedDateTime t) {
    boolean dom = fieldMatch(f[2], t.getDayOfMonth(), 1, 31);
    boolean dow = fieldMatch(f[4], t.getDayOfWeek().getValue() % 7, 0, 6);
    boolean day = f[2].startsWith("*") || f[4].startsWith("*") ? dom && dow : dom || dow;
    return fieldMatch(f[3], t.getMonthValue(), 1, 12) && day;
  }

  private static boolean fieldMatch(String field, int value, int min, int max) {
    for (String part : field.replace("MON", "1").replace("FRI", "5").replace("SUN", "0").split(",")) {
      String[] stepped = part.split("/");
      int step = stepped.length > 1 ? Integer.parseInt(stepped[1]) : 1;
      int low;
      int high;
      if (stepped[0].equals("*")) {
        low = min;
        high = max;
      } else if (stepped[0].contains("-")) {
        low = Integer.parseInt(stepped[0].split("-")[0]);
        high = Integer.parseInt(stepped[0].split("-")[1]);
      } else {
        low = Integer.parseInt(stepped[0]);
        high = low;
      }
      if (value >= low && value <= high && (value - low) % step == 0) {
        return true;
      }
    }
    return false;
  }
}
