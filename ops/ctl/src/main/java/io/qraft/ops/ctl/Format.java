package io.qraft.ops.ctl;

/** How qraftctl prints results: aligned columns for people, or JSON for scripts. Immutable. */
public enum Format {
    TABLE, JSON
}
