/*
 * Renders API Gateway mapping templates with Apache Velocity 1.7 (the engine
 * API Gateway's VTL is built on) and the $input, $util and $context objects as
 * API Gateway documents them. Run in source-file mode (no javac needed):
 *
 *   java -cp velocity.jar:commons-collections3.jar:commons-lang.jar VtlHarness.java cases.json results.json
 *
 * cases.json: [{"template": "...", "body": "...", "context": {...}}]
 * results.json: [{"output": "...", "status": 502 | null, "error": "..." | null}]
 * "status" is $context.responseOverride.status when the template set it; "error"
 * is a rendering failure (API Gateway answers those with a 500).
 */
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

public class VtlHarness {
  /** $input: the request (or integration response) payload. */
  public static class Input {
    private final String body;

    Input(String body) {
      this.body = body;
    }

    public String getBody() {
      return body;
    }

    /** The value at a JSONPath, as an object VTL can walk (maps, lists, strings, numbers). */
    public Object path(String jsonPath) {
      return select(Json.parse(body.isEmpty() ? "{}" : body), jsonPath);
    }

    /** The value at a JSONPath, serialised as JSON. */
    public String json(String jsonPath) {
      return Json.write(path(jsonPath));
    }
  }

  /** $util, the helpers API Gateway documents that the templates here use. */
  public static class Util {
    public String escapeJavaScript(String s) {
      return StringEscapeUtils.escapeJavaScript(s);
    }

    public Object parseJson(String s) {
      return Json.parse(s);
    }
  }

  /** $.a.b[0]['c'] — the JSONPath subset mapping templates use. */
  static Object select(Object root, String path) {
    if (!path.startsWith("$")) throw new IllegalArgumentException("JSONPath must start with $: " + path);
    Object node = root;
    int i = 1;
    while (i < path.length() && node != null) {
      char c = path.charAt(i);
      if (c == '.') {
        int end = i + 1;
        while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') end++;
        node = node instanceof Map ? ((Map<?, ?>) node).get(path.substring(i + 1, end)) : null;
        i = end;
      } else if (c == '[') {
        int end = path.indexOf(']', i);
        String key = path.substring(i + 1, end);
        if (key.startsWith("'")) {
          node = node instanceof Map ? ((Map<?, ?>) node).get(key.substring(1, key.length() - 1)) : null;
        } else {
          int index = Integer.parseInt(key);
          node = node instanceof List && index < ((List<?>) node).size() ? ((List<?>) node).get(index) : null;
        }
        i = end + 1;
      } else {
        throw new IllegalArgumentException("unsupported JSONPath " + path);
      }
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    VelocityEngine engine = new VelocityEngine();
    engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
    engine.init();
    List<Object> cases = (List<Object>) Json.parse(Files.readString(Path.of(args[0])));
    List<Object> results = new ArrayList<>();
    for (Object item : cases) {
      Map<String, Object> c = (Map<String, Object>) item;
      Map<String, Object> context = new LinkedHashMap<>();
      Object given = c.get("context");
      if (given instanceof Map) context.putAll((Map<String, Object>) given);
      Map<String, Object> override = new LinkedHashMap<>();
      context.put("responseOverride", override);
      VelocityContext vc = new VelocityContext();
      vc.put("input", new Input((String) c.getOrDefault("body", "")));
      vc.put("util", new Util());
      vc.put("context", context);
      Map<String, Object> result = new LinkedHashMap<>();
      StringWriter out = new StringWriter();
      try {
        engine.evaluate(vc, out, "template", (String) c.get("template"));
        result.put("output", out.toString());
        result.put("error", null);
      } catch (Exception e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        result.put("output", null);
        result.put("error", root.getClass().getSimpleName() + ": " + root.getMessage());
      }
      Object status = override.get("status");
      result.put("status", status instanceof Number ? ((Number) status).intValue() : null);
      results.add(result);
    }
    Files.writeString(Path.of(args[1]), Json.write(results), StandardCharsets.UTF_8);
  }
}

/** Just enough JSON for the harness: objects, arrays, strings, numbers, booleans, null. */
class Json {
  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  static Object parse(String text) {
    Json p = new Json(text);
    Object value = p.value();
    p.space();
    if (p.i != text.length()) throw new IllegalArgumentException("trailing JSON at " + p.i);
    return value;
  }

  private void space() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
  }

  private Object value() {
    space();
    char c = s.charAt(i);
    if (c == '{') {
      Map<String, Object> map = new LinkedHashMap<>();
      i++;
      space();
      if (s.charAt(i) == '}') { i++; return map; }
      while (true) {
        space();
        String key = string();
        space();
        expect(':');
        map.put(key, value());
        space();
        if (s.charAt(i++) == '}') return map;
      }
    }
    if (c == '[') {
      List<Object> list = new ArrayList<>();
      i++;
      space();
      if (s.charAt(i) == ']') { i++; return list; }
      while (true) {
        list.add(value());
        space();
        if (s.charAt(i++) == ']') return list;
      }
    }
    if (c == '"') return string();
    if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
    if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
    if (s.startsWith("null", i)) { i += 4; return null; }
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
    String number = s.substring(start, i);
    if (number.isEmpty()) throw new IllegalArgumentException("unexpected JSON at " + start);
    // Like the JSON library behind API Gateway: integers stay integers, the rest are doubles.
    if (number.matches("-?\\d+")) {
      long n = Long.parseLong(number);
      return n == (int) n ? (Object) (int) n : (Object) n;
    }
    return Double.parseDouble(number);
  }

  private void expect(char c) {
    if (s.charAt(i++) != c) throw new IllegalArgumentException("expected " + c + " at " + (i - 1));
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (s.charAt(i) != '"') {
      char c = s.charAt(i++);
      if (c != '\\') { b.append(c); continue; }
      char e = s.charAt(i++);
      switch (e) {
        case 'n': b.append('\n'); break;
        case 't': b.append('\t'); break;
        case 'r': b.append('\r'); break;
        case 'b': b.append('\b'); break;
        case 'f': b.append('\f'); break;
        case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
        default: b.append(e);
      }
    }
    i++;
    return b.toString();
  }

  static String write(Object v) {
    if (v == null) return "null";
    if (v instanceof String) {
      StringBuilder b = new StringBuilder("\"");
      for (char c : ((String) v).toCharArray()) {
        if (c == '"' || c == '\\') b.append('\\').append(c);
        else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
        else b.append(c);
      }
      return b.append('"').toString();
    }
    if (v instanceof Map) {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) parts.add(write(e.getKey().toString()) + ":" + write(e.getValue()));
      return "{" + String.join(",", parts) + "}";
    }
    if (v instanceof List) {
      List<String> parts = new ArrayList<>();
      for (Object o : (List<?>) v) parts.add(write(o));
      return "[" + String.join(",", parts) + "]";
    }
    return v.toString();
  }
}
