package io.qraft.api;

/**
 * A client's text, quoted in an error message: at most {@link #MAX_CHARS}
 * characters of it, then how long it was. An error status travels in a
 * header; echoing a 100 KB value back would make the answer itself too big
 * to deliver (the client would see its call hang until the deadline).
 */
public final class Quoted {
  public static final int MAX_CHARS = 64;

  private Quoted() {}

  /** 'text', or 'first 64 characters…' (N characters) when longer. */
  public static String of(String text) {
    return quoted(text, MAX_CHARS, '\'');
  }

  /** As {@link #of(String)}, in double quotes, as JSON shows a string. */
  public static String json(String text) {
    return quoted(text, MAX_CHARS, '"');
  }

  private static String quoted(String text, int max, char quote) {
    if (text == null) {
      return "null";
    }
    if (text.length() <= max) {
      return quote + text + quote;
    }
    int end = max;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return quote + text.substring(0, end) + "…" + quote + " (" + text.length() + " characters)";
  }
}
