package io.qraft.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MapEntry;
import com.google.protobuf.MessageOrBuilder;
import io.qraft.api.v1.PolicyInfo;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON shape of the API's messages ({@code QueueInfo}, {@code NodeStatusResponse},
 * {@code GroupStatus}, {@code PolicyInfo}, ...), shared by the node's HTTP API and qraftctl so
 * that both name and type every field alike.
 *
 * <p>A message becomes an ordered map: every field, set or not, in declaration order, under its
 * .proto name (snake_case). Numbers stay JSON numbers (unsigned ones read as unsigned), unlike
 * protobuf-java-util's {@code JsonFormat}, which writes 64-bit numbers as strings, camelCases
 * names and leaves out default values: the web page and scripts do arithmetic on these fields
 * and expect them all. Repeated fields are lists, map fields maps sorted by key (so the same
 * message always prints the same way), nested messages maps, bytes base64, enums their names.
 * Jackson writes the result as is.
 *
 * <p>Stateless; thread-safe.
 */
public final class StatusJson {
  private static final FieldDescriptor POLICY_DEFINITION =
      PolicyInfo.getDescriptor().findFieldByNumber(PolicyInfo.DEFINITION_FIELD_NUMBER);

  private StatusJson() {}

  /** The fields of a message by name, in declaration order; a new, mutable map. */
  public static Map<String, Object> fields(MessageOrBuilder message) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      fields.put(field.getName(), value(field, message.getField(field)));
    }
    return fields;
  }

  private static Object value(FieldDescriptor field, Object value) {
    if (field.isMapField()) {
      FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
      Map<String, Object> map = new TreeMap<>();
      for (Object entry : (List<?>) value) {
        MapEntry<?, ?> e = (MapEntry<?, ?>) entry;
        map.put(String.valueOf(e.getKey()), single(valueField, e.getValue()));
      }
      return map;
    }
    if (field.isRepeated()) {
      List<Object> list = new ArrayList<>();
      for (Object element : (List<?>) value) {
        list.add(single(field, element));
      }
      return list;
    }
    return single(field, value);
  }

  private static Object single(FieldDescriptor field, Object value) {
    if (field.equals(POLICY_DEFINITION)) {
      // A JSON object in a string (the node normalised it): an object here too, not text to parse again.
      String text = (String) value;
      return text.isEmpty() ? null : DefinitionJson.tree(text);
    }
    return switch (field.getType()) {
      case UINT32, FIXED32 -> Integer.toUnsignedLong((Integer) value);
      case UINT64, FIXED64 -> unsigned((Long) value);
      case MESSAGE, GROUP -> fields((MessageOrBuilder) value);
      case ENUM -> ((EnumValueDescriptor) value).getName();
      case BYTES -> Base64.getEncoder().encodeToString(((ByteString) value).toByteArray());
      default -> value;
    };
  }

  private static Object unsigned(long value) {
    return value >= 0 ? (Object) value : new BigInteger(Long.toUnsignedString(value));
  }
}
