package io.qraft.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy definition as operators write it: a JSON object such as
 * {@code {"ha-mode":"exactly","ha-params":2}}. Reads it into a validated
 * {@link PolicyDefinition} and writes one back (numbers as numbers, node lists
 * as arrays). The node and qraftctl both read with it, so they refuse the same
 * definitions with the same sentences.
 *
 * <p>Stateless; thread-safe.
 */
public final class DefinitionJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private DefinitionJson() {}

  /** @throws IllegalArgumentException for text that is not a JSON object, or a definition that is not valid */
  public static PolicyDefinition parse(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text == null ? "" : text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new IllegalArgumentException("the policy definition is not valid JSON (" + e.getOriginalMessage()
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + "); write it as a JSON object in single quotes, e.g. '{\"ha-mode\":\"exactly\",\"ha-params\":2}'");
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      throw new IllegalArgumentException("the policy definition must be a JSON object, e.g. "
          + "{\"ha-mode\":\"exactly\",\"ha-params\":2}, not " + (root == null || root.isMissingNode() ? "nothing" : root));
    }
    Map<String, Object> given = new LinkedHashMap<>();
    root.fields().forEachRemaining(e -> given.put(e.getKey(), value(e.getValue())));
    return PolicyDefinition.parse(given);
  }

  /** The definition as a JSON object, keys sorted. */
  public static JsonNode tree(PolicyDefinition definition) {
    return JSON.valueToTree(definition.typed());
  }

  /** The definition as compact JSON text, keys sorted. */
  public static String text(PolicyDefinition definition) {
    return tree(definition).toString();
  }

  /** Compact JSON text as a tree; for text this class wrote. */
  public static JsonNode tree(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + text, e);
    }
  }

  /** A JSON value as PolicyDefinition takes it: String, Number, List, Boolean, Map or null. */
  private static Object value(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isNumber()) {
      return node.decimalValue();
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(value(n)));
      return list;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isObject()) {
      return Map.of();
    }
    return null;
  }
}
