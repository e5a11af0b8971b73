package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API's OpenAPI document as a contract: valid OpenAPI 3 (swagger-parser reports nothing),
 * and every real answer of the tests checked against the schema the document gives for its path,
 * method and status. The schema check covers what the document uses: type, required, properties,
 * additionalProperties, items, enum, minimum, maximum, maxLength, nullable and $ref.
 */
final class OpenApiContract {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonNode document;

  OpenApiContract(String text) throws IOException {
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text);
    assertThat(parsed.getMessages()).as("the OpenAPI document validates").isEmpty();
    assertThat(parsed.getOpenAPI()).isNotNull();
    this.document = JSON.readTree(text);
  }

  /** The document the daemon ships (the same bytes it serves). */
  static OpenApiContract shipped() throws IOException {
    try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream("dev/dispatcher/service/api/openapi.json")) {
      assertThat(in).as("openapi.json in the daemon's jar").isNotNull();
      return new OpenApiContract(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  JsonNode document() {
    return document;
  }

  /** Whether the document has this operation (path as written there). */
  boolean documents(String path, String method) {
    return !document.path("paths").path(path).path(method.toLowerCase()).isMissingNode();
  }

  /** Asserts that {@code body} is what the document promises for this path (as written there), method and status. */
  void check(String path, String method, int status, JsonNode body) {
    JsonNode operation = document.path("paths").path(path).path(method.toLowerCase());
    assertThat(operation.isMissingNode()).as("%s %s is documented", method, path).isFalse();
    JsonNode response = resolve(operation.path("responses").path(Integer.toString(status)));
    assertThat(response.isMissingNode()).as("%s %s documents status %d", method, path, status).isFalse();
    JsonNode schema = response.path("content").path("application/json").path("schema");
    List<String> problems = new ArrayList<>();
    validate(schema, body, "$", problems);
    assertThat(problems).as("%s %s %d: %s", method, path, status, body).isEmpty();
  }

  private JsonNode resolve(JsonNode node) {
    while (node.has("$ref")) {
      String ref = node.get("$ref").textValue();
      assertThat(ref).startsWith("#/");
      node = document.at(ref.substring(1));
    }
    return node;
  }

  private void validate(JsonNode schema, JsonNode value, String where, List<String> problems) {
    schema = resolve(schema);
    if (schema.isMissingNode() || schema.isEmpty()) {
      return; // {}: anything
    }
    if (value.isNull() && schema.path("nullable").asBoolean(false)) {
      return;
    }
    String type = schema.path("type").asText("");
    boolean typed = switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      default -> true;
    };
    if (!typed) {
      problems.add(where + ": expected " + type + ", got " + value.getNodeType());
      return;
    }
    if (schema.has("enum")) {
      boolean listed = false;
      for (JsonNode allowed : schema.get("enum")) {
        listed |= allowed.equals(value);
      }
      if (!listed) {
        problems.add(where + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
    if (schema.has("minimum") && value.isNumber() && value.doubleValue() < schema.get("minimum").doubleValue()
        || schema.has("maximum") && value.isNumber() && value.doubleValue() > schema.get("maximum").doubleValue()) {
      problems.add(where + ": " + value + " is out of range");
    }
    if (schema.has("maxLength") && value.isTextual() && value.textValue().length() > schema.get("maxLength").intValue()) {
      problems.add(where + ": longer than " + schema.get("maxLength"));
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.textValue())) {
          problems.add(where + ": misses " + required.textValue());
        }
      }
      JsonNode properties = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (properties.has(field.getKey())) {
          validate(properties.get(field.getKey()), field.getValue(), where + "." + field.getKey(), problems);
        } else if (additional.isObject()) {
          validate(additional, field.getValue(), where + "." + field.getKey(), problems);
        } else if (!(additional.isBoolean() && additional.booleanValue())) {
          problems.add(where + ": " + field.getKey() + " is not documented"); // strict: an answer says only what the document does
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        validate(schema.get("items"), value.get(i), where + "[" + i + "]", problems);
      }
    }
  }
}
