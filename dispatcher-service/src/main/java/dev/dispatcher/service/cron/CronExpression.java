package dev.dispatcher.service.cron;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Map;

/**
 * A five-field cron expression, as in Vixie cron: {@code minute hour day-of-month month day-of-week}.
 *
 * <p>Each field is {@code *} or a comma-separated list of numbers, ranges {@code a-b} and steps
 * {@code *}{@code /n} or {@code a-b/n}. Months may be written {@code JAN}–{@code DEC} and days
 * {@code SUN}–{@code SAT} (any case, also in ranges); day-of-week is 0–7 with both 0 and 7 meaning
 * Sunday. When day-of-month and day-of-week are both restricted (neither field starts with
 * {@code *}), a day matches if <em>either</em> matches, as in Vixie cron; otherwise both must.
 * The macros {@code @yearly} ({@code @annually}), {@code @monthly}, {@code @weekly},
 * {@code @daily} ({@code @midnight}) and {@code @hourly} are accepted too.
 *
 * <p>{@link #next(ZonedDateTime)} works on the local time of the zone it is given: a local time
 * that does not exist (skipped by a daylight-saving change) does not fire, and a local time that
 * happens twice fires once, at its first occurrence.
 */
public final class CronExpression {

  private static final String[] FIELD_NAMES = {"minute", "hour", "day-of-month", "month", "day-of-week"};
  private static final int[] MIN = {0, 0, 1, 1, 0};
  private static final int[] MAX = {59, 23, 31, 12, 7};
  private static final Map<String, Integer> MONTHS = Map.ofEntries(
      Map.entry("JAN", 1), Map.entry("FEB", 2), Map.entry("MAR", 3), Map.entry("APR", 4), Map.entry("MAY", 5),
      Map.entry("JUN", 6), Map.entry("JUL", 7), Map.entry("AUG", 8), Map.entry("SEP", 9), Map.entry("OCT", 10),
      Map.entry("NOV", 11), Map.entry("DEC", 12));
  private static final Map<String, Integer> DAYS = Map.of(
      "SUN", 0, "MON", 1, "TUE", 2, "WED", 3, "THU", 4, "FRI", 5, "SAT", 6);
  private static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  /** Longest month length, by month: February counts its 29th. */
  private static final int[] MONTH_DAYS = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  /** The Gregorian calendar repeats every 400 years: a date that matches at all matches within that. */
  private static final int SEARCH_YEARS = 400;

  private final String text;
  private final long minutes;
  private final long hours;
  private final long daysOfMonth;
  private final long months;
  private final long daysOfWeek;
  private final boolean dayOfMonthStar;
  private final boolean dayOfWeekStar;

  private CronExpression(String text, long[] masks, boolean dayOfMonthStar, boolean dayOfWeekStar) {
    this.text = text;
    this.minutes = masks[0];
    this.hours = masks[1];
    this.daysOfMonth = masks[2];
    this.months = masks[3];
    this.daysOfWeek = masks[4];
    this.dayOfMonthStar = dayOfMonthStar;
    this.dayOfWeekStar = dayOfWeekStar;
  }

  /**
   * Parses an expression.
   *
   * @throws IllegalArgumentException naming the field at fault, e.g. {@code minute field '61': 61 is out of range 0-59}
   */
  public static CronExpression parse(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("empty: expected 5 fields (minute hour day-of-month month day-of-week)");
    }
    String text = expression.trim().replaceAll("\\s+", " ");
    String fieldsText = text.startsWith("@") ? MACROS.get(text.toLowerCase(Locale.ROOT)) : text;
    if (fieldsText == null) {
      throw new IllegalArgumentException("unknown macro '" + text + "' (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)");
    }
    String[] fields = fieldsText.split(" ");
    if (fields.length != 5) {
      throw new IllegalArgumentException("expected 5 fields (minute hour day-of-month month day-of-week), found " + fields.length);
    }
    long[] masks = new long[5];
    for (int i = 0; i < 5; i++) {
      masks[i] = parseField(i, fields[i]);
    }
    // day-of-week: 7 is Sunday, like 0
    if ((masks[4] & (1L << 7)) != 0) {
      masks[4] = (masks[4] & ~(1L << 7)) | 1L;
    }
    boolean domStar = fields[2].startsWith("*");
    boolean dowStar = fields[4].startsWith("*");
    if (domStar || dowStar) {
      // Both must match: some listed day must exist in some listed month (e.g. not "30 2").
      boolean possible = false;
      for (int month = 1; month <= 12 && !possible; month++) {
        if ((masks[3] & (1L << month)) != 0) {
          long daysInMonth = ((1L << (MONTH_DAYS[month] + 1)) - 1) & ~1L;
          possible = (masks[2] & daysInMonth) != 0;
        }
      }
      if (!possible) {
        throw new IllegalArgumentException("day-of-month field '" + fields[2] + "' never occurs in month field '" + fields[3] + "'");
      }
    }
    return new CronExpression(text, masks, domStar, dowStar);
  }

  private static long parseField(int field, String fieldText) {
    long mask = 0;
    for (String part : fieldText.split(",", -1)) {
      mask |= parsePart(field, fieldText, part);
    }
    return mask;
  }

  private static long parsePart(int field, String fieldText, String part) {
    if (part.isEmpty()) {
      throw fieldError(field, fieldText, "empty list item");
    }
    int slash = part.indexOf('/');
    String range = slash < 0 ? part : part.substring(0, slash);
    int step = 1;
    if (slash >= 0) {
      String stepText = part.substring(slash + 1);
      if (!stepText.matches("\\d{1,4}")) {
        throw fieldError(field, fieldText, "step '" + stepText + "' is not a whole number");
      }
      step = Integer.parseInt(stepText);
      if (step < 1 || step > MAX[field]) {
        throw fieldError(field, fieldText, "step " + step + " is out of range 1-" + MAX[field]);
      }
    }
    int low;
    int high;
    if (range.equals("*")) {
      low = MIN[field];
      high = field == 4 ? 6 : MAX[field];
    } else {
      int dash = range.indexOf('-');
      if (dash < 0) {
        if (slash >= 0) {
          throw fieldError(field, fieldText, "a step needs * or a range before it, e.g. */15 or 5-59/15, found '" + part + "'");
        }
        low = value(field, fieldText, range);
        high = low;
      } else {
        low = value(field, fieldText, range.substring(0, dash));
        high = value(field, fieldText, range.substring(dash + 1));
        if (low > high) {
          throw fieldError(field, fieldText, "range " + range + " goes backwards");
        }
      }
    }
    long mask = 0;
    for (int v = low; v <= high; v += step) {
      mask |= 1L << v;
    }
    return mask;
  }

  private static int value(int field, String fieldText, String token) {
    String upper = token.toUpperCase(Locale.ROOT);
    Integer named = field == 3 ? MONTHS.get(upper) : field == 4 ? DAYS.get(upper) : null;
    if (named != null) {
      return named;
    }
    if (!token.matches("\\d{1,4}")) {
      String names = field == 3 ? " (or JAN-DEC)" : field == 4 ? " (or SUN-SAT)" : "";
      throw fieldError(field, fieldText, "'" + token + "' is not a number" + names);
    }
    int value = Integer.parseInt(token);
    if (value < MIN[field] || value > MAX[field]) {
      throw fieldError(field, fieldText, value + " is out of range " + MIN[field] + "-" + MAX[field]);
    }
    return value;
  }

  private static IllegalArgumentException fieldError(int field, String fieldText, String problem) {
    return new IllegalArgumentException(FIELD_NAMES[field] + " field '" + fieldText + "': " + problem);
  }

  /**
   * The first fire time strictly after {@code after}, in {@code after}'s zone. Times are matched
   * against the zone's local time; a local time skipped by a daylight-saving change does not fire,
   * and a repeated one fires once, at its first (earlier) occurrence.
   */
  public ZonedDateTime next(ZonedDateTime after) {
    ZoneId zone = after.getZone();
    ZoneRules rules = zone.getRules();
    Instant afterInstant = after.toInstant();
    LocalDateTime t = after.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    int lastYear = t.getYear() + SEARCH_YEARS;
    while (t.getYear() <= lastYear) {
      if (!has(months, t.getMonthValue())) {
        t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
        continue;
      }
      if (!dayMatches(t.toLocalDate())) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      int hour = nextSetBit(hours, t.getHour(), 23);
      if (hour < 0) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      if (hour != t.getHour()) {
        t = t.withHour(hour).withMinute(0);
      }
      int minute = nextSetBit(minutes, t.getMinute(), 59);
      if (minute < 0) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      t = t.withMinute(minute);
      ZoneOffsetTransition transition = rules.getTransition(t);
      if (transition == null || !transition.isGap()) { // in a gap the local time does not exist: skip it
        ZonedDateTime candidate = ZonedDateTime.ofLocal(t, zone, null); // a repeated time: its earlier offset
        if (candidate.toInstant().isAfter(afterInstant)) {
          return candidate;
        }
      }
      t = t.plusMinutes(1);
    }
    throw new IllegalStateException("cron '" + text + "' has no fire time within " + SEARCH_YEARS + " years after " + after);
  }

  private boolean dayMatches(LocalDate date) {
    boolean dom = has(daysOfMonth, date.getDayOfMonth());
    boolean dow = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
    return dayOfMonthStar || dayOfWeekStar ? dom && dow : dom || dow;
  }

  private static boolean has(long mask, int value) {
    return (mask & (1L << value)) != 0;
  }

  /** The smallest set bit at or above {@code from} and at most {@code max}, or -1. */
  private static int nextSetBit(long mask, int from, int max) {
    long above = mask & (-1L << from);
    if (above == 0) {
      return -1;
    }
    int bit = Long.numberOfTrailingZeros(above);
    return bit <= max ? bit : -1;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CronExpression that && minutes == that.minutes && hours == that.hours
        && daysOfMonth == that.daysOfMonth && months == that.months && daysOfWeek == that.daysOfWeek
        && dayOfMonthStar == that.dayOfMonthStar && dayOfWeekStar == that.dayOfWeekStar;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(minutes * 31 + hours * 17 + daysOfMonth * 13 + months * 7 + daysOfWeek)
        + (dayOfMonthStar ? 1 : 0) + (dayOfWeekStar ? 2 : 0);
  }

  /** The expression as written (whitespace collapsed). */
  @Override
  public String toString() {
    return text;
  }
}
