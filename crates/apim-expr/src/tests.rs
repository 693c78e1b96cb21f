//! Table-driven evaluation tests: expressions and what .NET prints for them.

use crate::context::{Body, Context, Headers, Response, Url};
use crate::interp::{Limits, RuntimeError, evaluate};
use crate::parser::parse;
use crate::scan::ExprKind;
use crate::value::Value;

fn sample_context() -> Context {
    let mut ctx = Context::default();
    let url = Url::parse("https://contoso.azure-api.net/orders/items/42?verbose=true&tag=a&tag=b")
        .unwrap();
    ctx.request.url = url.clone();
    ctx.request.original_url = url;
    ctx.request.method = "POST".into();
    ctx.request.headers = Headers(vec![
        ("Authorization".into(), vec!["Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyLCJhdWQiOlsiYXBpIiwid2ViIl19.x".into()]),
        ("Accept".into(), vec!["application/json".into(), "text/plain".into()]),
        ("X-Key".into(), vec!["k-s3cr3t".into()]),
    ]);
    ctx.request.body = Some(Body::text(
        r#"{"name":"ada","n":3,"items":[1,2.5,{"x":true}],"nested":{"a":"b"}}"#,
    ));
    ctx.request.matched_parameters = vec![("id".into(), "42".into())];
    ctx.variables.set("s", Value::string("hello"));
    ctx.variables.set("i", Value::int(7));
    ctx.variables.set("secret", Value::secret_string("s3cr3t"));
    ctx.variables.set(
        "r",
        Value::response(Response {
            status_code: 200,
            status_reason: "OK".into(),
            headers: Headers(vec![(
                "Content-Type".into(),
                vec!["application/json".into()],
            )]),
            body: Some(Body::text(r#"{"value":"kv-secret","id":"x"}"#)),
        }),
    );
    ctx.secrets.push("k-s3cr3t".into());
    ctx
}

fn eval_in(ctx: &mut Context, code: &str, kind: ExprKind) -> Result<Value, RuntimeError> {
    let p = parse(code, kind);
    assert!(p.errors.is_empty(), "{code}: {:?}", p.errors);
    evaluate(&p, ctx, &Limits::default())
}

fn run(code: &str) -> String {
    let kind = if code.contains("return ") || code.trim_end().ends_with(';') {
        ExprKind::Block
    } else {
        ExprKind::Single
    };
    let mut ctx = sample_context();
    match eval_in(&mut ctx, code, kind) {
        Ok(v) => v.to_policy_string(),
        Err(e) => format!("!{}: {}", e.exception, e.message),
    }
}

fn check(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (code, want) in cases {
        let got = run(code);
        if got != *want {
            failures.push(format!("{code}\n    want: {want}\n    got:  {got}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn literals_and_operators() {
    check(&[
        ("1 + 2 * 3", "7"),
        ("7 / 2", "3"),
        ("-7 / 2", "-3"),
        ("7 % 3", "1"),
        ("7.0 / 2", "3.5"),
        ("1.0 / 3", "0.3333333333333333"),
        ("0.1 + 0.2", "0.30000000000000004"),
        ("1e20", "1E+20"),
        ("2147483647 + 1", "-2147483648"),
        ("2147483647L + 1", "2147483648"),
        ("10m / 4", "2.5"),
        ("true", "True"),
        ("!true", "False"),
        ("1 < 2 && 2 < 3", "True"),
        ("'a'", "a"),
        ("'a' + 1", "98"),
        ("\"a\" + 1 + 2", "a12"),
        ("1 + 2 + \"a\"", "3a"),
        ("\"x\" + null", "x"),
        ("null ?? \"d\"", "d"),
        ("(string)null ?? \"d\"", "d"),
        ("1 == 1.0", "True"),
        ("\"ab\" == \"a\" + \"b\"", "True"),
        ("5 > 3 ? \"yes\" : \"no\"", "yes"),
        ("1 << 4 | 1", "17"),
        ("0xFF & 0x0F", "15"),
        ("~0", "-1"),
        ("-(-3)", "3"),
        ("@\"c:\\path\"\"q\"\"\"", "c:\\path\"q\""),
        (
            "$\"{1}-{\"x\"}-{{lit}}-{2.5:F2}-{7,4}|{7,-3}|\"",
            "1-x-{lit}-2.50-   7|7  |",
        ),
        ("$@\"a\\{1}\"", "a\\1"),
        ("typeof(string).Name", "String"),
        ("nameof(context)", "context"),
        ("default(int)", "0"),
        ("(int)3.9", "3"),
        ("(double)7 / 2", "3.5"),
        ("(long)int.MaxValue + 1", "2147483648"),
        ("(char)65", "A"),
        ("5 is int", "True"),
        ("\"x\" is string s && s.Length == 1", "True"),
        ("(object)\"x\" as string", "x"),
        (
            "1 / 0",
            "!System.DivideByZeroException: Attempted to divide by zero.",
        ),
        ("1.0 / 0", "∞"),
    ]);
}

#[test]
fn strings() {
    check(&[
        ("\"Hello\".Length", "5"),
        ("\"Hello\".Substring(1, 3)", "ell"),
        ("\"Hello\".Substring(2)", "llo"),
        ("\"Hello\".IndexOf('l')", "2"),
        ("\"Hello\".LastIndexOf(\"l\")", "3"),
        ("\"Hello\".IndexOf(\"z\")", "-1"),
        (
            "\"Hello\".ToUpper() + \"Hello\".ToLowerInvariant()",
            "HELLOhello",
        ),
        ("\"  x \".Trim() + \"|\"", "x|"),
        ("\"xxaxx\".Trim('x')", "a"),
        ("\"a,b,,c\".Split(',').Length", "4"),
        (
            "\"a,b,,c\".Split(new[] {','}, StringSplitOptions.RemoveEmptyEntries).Length",
            "3",
        ),
        ("\"a--b--c\".Split(\"--\")[2]", "c"),
        ("\"a b\tc\".Split()[2]", "c"),
        ("\"a=b=c\".Split('=', 2)[1]", "b=c"),
        ("string.Join(\",\", new[] {\"a\", \"b\"})", "a,b"),
        ("string.Join(\"-\", 1, 2, 3)", "1-2-3"),
        ("string.Concat(\"a\", 1, null, 'c')", "a1c"),
        ("string.Format(\"{0}-{1:D3}-{0}\", \"x\", 7)", "x-007-x"),
        ("String.Format(\"{0,5}|{1,-4}|\", 1, 2)", "    1|2   |"),
        ("string.IsNullOrEmpty(\"\")", "True"),
        ("string.IsNullOrWhiteSpace(\" \")", "True"),
        ("\"abc\".Contains(\"B\")", "False"),
        (
            "\"abc\".Contains(\"B\", StringComparison.OrdinalIgnoreCase)",
            "True",
        ),
        (
            "\"abc\".StartsWith(\"AB\", StringComparison.OrdinalIgnoreCase)",
            "True",
        ),
        ("\"abc\".EndsWith(\"bc\")", "True"),
        (
            "\"ABC\".Equals(\"abc\", StringComparison.OrdinalIgnoreCase)",
            "True",
        ),
        ("\"West US\".Equals(\"west us\")", "False"),
        ("\"abc\".Replace(\"b\", \"XX\")", "aXXc"),
        ("\"7\".PadLeft(3, '0')", "007"),
        ("\"ab\".PadRight(4) + \"|\"", "ab  |"),
        ("\"abc\"[1]", "b"),
        ("\"abc\".ToCharArray().Length", "3"),
        ("\"abcdef\".Remove(2, 2)", "abef"),
        ("\"abc\".Insert(1, \"-\")", "a-bc"),
        ("string.Compare(\"a\", \"B\", true)", "-1"),
        ("string.CompareOrdinal(\"a\", \"B\")", "1"),
        ("new string('x', 3)", "xxx"),
        (
            "\"abc\".Select(c => c.ToString().ToUpper()).Aggregate((a, b) => a + b)",
            "ABC",
        ),
        (
            "\"Hello\".Substring(9)",
            "!System.ArgumentOutOfRangeException: startIndex cannot be larger than length of string. (Parameter 'startIndex')",
        ),
        (
            "\"a\".Replace(\"\", \"b\")",
            "!System.ArgumentException: String cannot be of zero length. (Parameter 'oldValue')",
        ),
        (
            "((string)null).Length",
            "!System.NullReferenceException: Object reference not set to an instance of an object.",
        ),
        ("((string)null)?.Length", ""),
        ("((string)null)?.Length ?? -1", "-1"),
        ("Uri.EscapeDataString(\"a b&c/d\")", "a%20b%26c%2Fd"),
        ("Uri.UnescapeDataString(\"a%20b\")", "a b"),
        ("System.Net.WebUtility.UrlEncode(\"a b&c\")", "a+b%26c"),
        ("WebUtility.HtmlEncode(\"<a>\")", "&lt;a&gt;"),
        (
            "new StringBuilder().Append(\"a\").Append(1).AppendFormat(\"{0}\", true).ToString()",
            "a1True",
        ),
    ]);
}

#[test]
fn numbers_dates_guids() {
    check(&[
        ("int.Parse(\"42\") + 1", "43"),
        (
            "int.Parse(\"x\")",
            "!System.FormatException: The input string 'x' was not in a correct format.",
        ),
        (
            "int.Parse(\"99999999999\")",
            "!System.OverflowException: Value was either too large or too small for an Int32.",
        ),
        ("long.Parse(\"99999999999\")", "99999999999"),
        ("double.Parse(\"1.5\") * 2", "3"),
        ("bool.Parse(\"TRUE\")", "True"),
        ("Convert.ToInt32(\"12\")", "12"),
        ("Convert.ToInt32(2.5)", "2"),
        ("Convert.ToInt32(3.5)", "4"),
        ("Convert.ToInt32(\"ff\", 16)", "255"),
        ("Convert.ToByte(\"7f\", 16)", "127"),
        ("Convert.ToString(255, 16)", "ff"),
        ("Convert.ToBoolean(\"false\")", "False"),
        ("Convert.ToDouble(\"2.25\")", "2.25"),
        ("(1234.5678).ToString(\"N2\")", "1,234.57"),
        ("(0.5).ToString(\"P0\")", "50%"),
        ("42.ToString(\"X4\")", "002A"),
        ("Math.Max(3, 7)", "7"),
        ("Math.Min(2.5, 1)", "1"),
        ("Math.Abs(-4)", "4"),
        ("Math.Round(2.5)", "2"),
        ("Math.Round(2.345, 2)", "2.35"),
        ("Math.Round(2.5, MidpointRounding.AwayFromZero)", "3"),
        ("Math.Floor(-1.5)", "-2"),
        ("Math.Ceiling(1.2)", "2"),
        ("Math.Pow(2, 10)", "1024"),
        (
            "DateTime.UtcNow.ToString(\"o\")",
            "2026-01-01T00:00:00.0000000Z",
        ),
        (
            "DateTime.UtcNow.ToString(\"yyyy-MM-ddTHH:mm:ssZ\")",
            "2026-01-01T00:00:00Z",
        ),
        (
            "DateTime.UtcNow.AddDays(1).ToString(\"R\")",
            "Fri, 02 Jan 2026 00:00:00 GMT",
        ),
        (
            "DateTime.UtcNow.AddSeconds(90).ToString(\"s\")",
            "2026-01-01T00:01:30",
        ),
        ("DateTime.UtcNow.AddMonths(1).Month", "2"),
        ("DateTime.UtcNow.ToString()", "1/1/2026 12:00:00 AM"),
        ("DateTime.UtcNow.DayOfWeek", "Thursday"),
        ("DateTime.Now.Year", "2026"),
        (
            "(DateTime.UtcNow.AddHours(2) - DateTime.UtcNow).TotalMinutes",
            "120",
        ),
        ("DateTime.UtcNow.AddMinutes(5) > DateTime.UtcNow", "True"),
        (
            "DateTime.Parse(\"2026-03-04T05:06:07Z\").ToString(\"dd/MM/yyyy HH:mm\")",
            "04/03/2026 05:06",
        ),
        (
            "DateTime.Parse(\"nope\")",
            "!System.FormatException: String 'nope' was not recognized as a valid DateTime.",
        ),
        (
            "DateTimeOffset.FromUnixTimeSeconds(0).ToString(\"R\")",
            "Thu, 01 Jan 1970 00:00:00 GMT",
        ),
        ("DateTimeOffset.UtcNow.ToUnixTimeSeconds()", "1767225600"),
        (
            "((DateTimeOffset)DateTime.UtcNow).ToUnixTimeMilliseconds()",
            "1767225600000",
        ),
        ("TimeSpan.FromSeconds(90).ToString()", "00:01:30"),
        ("TimeSpan.FromMinutes(1.5).TotalSeconds", "90"),
        (
            "TimeSpan.FromDays(1).Add(TimeSpan.FromHours(1))",
            "1.01:00:00",
        ),
        (
            "Guid.Parse(\"00112233-4455-6677-8899-AABBCCDDEEFF\").ToString(\"N\")",
            "00112233445566778899aabbccddeeff",
        ),
        ("Guid.NewGuid().ToString().Length", "36"),
        ("Guid.NewGuid() == Guid.NewGuid()", "False"),
        ("Guid.Empty", "00000000-0000-0000-0000-000000000000"),
        ("new Random(1).Next(1, 10) >= 1", "True"),
    ]);
}

#[test]
fn encodings_and_crypto() {
    check(&[
        (
            "Convert.ToBase64String(Encoding.UTF8.GetBytes(\"hello\"))",
            "aGVsbG8=",
        ),
        (
            "Encoding.UTF8.GetString(Convert.FromBase64String(\"aGVsbG8=\"))",
            "hello",
        ),
        ("System.Text.Encoding.ASCII.GetBytes(\"é\")[0]", "63"),
        ("Encoding.Unicode.GetBytes(\"A\").Length", "2"),
        (
            "Convert.FromBase64String(\"!\")",
            "!System.FormatException: The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.",
        ),
        (
            "Convert.ToBase64String(new HMACSHA256(Encoding.UTF8.GetBytes(\"key\")).ComputeHash(Encoding.UTF8.GetBytes(\"The quick brown fox jumps over the lazy dog\")))",
            "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=",
        ),
        (
            "BitConverter.ToString(SHA256.Create().ComputeHash(Encoding.UTF8.GetBytes(\"abc\"))).Substring(0, 8)",
            "BA-78-16",
        ),
        (
            "BitConverter.ToString(new System.Security.Cryptography.HMACSHA1(Encoding.UTF8.GetBytes(\"key\")).ComputeHash(Encoding.UTF8.GetBytes(\"x\"))).Length",
            "59",
        ),
        ("Convert.ToHexString(new byte[] { 1, 255 })", "01FF"),
        ("BitConverter.GetBytes(1)[0]", "1"),
    ]);
}

#[test]
fn json() {
    check(&[
        ("JObject.Parse(\"{'a': 1}\")[\"a\"]", "1"),
        (
            "JObject.Parse(\"{\\\"a\\\": {\\\"b\\\": [1, 2]}}\")[\"a\"][\"b\"][1]",
            "2",
        ),
        (
            "(string)JObject.Parse(\"{\\\"a\\\": \\\"x\\\"}\")[\"a\"]",
            "x",
        ),
        ("(int)JObject.Parse(\"{\\\"a\\\": 5}\")[\"a\"] + 1", "6"),
        (
            "JObject.Parse(\"{\\\"a\\\": true}\")[\"a\"].ToString()",
            "True",
        ),
        (
            "JObject.Parse(\"{\\\"a\\\": 1.0}\")[\"a\"].Value<double>()",
            "1",
        ),
        (
            "JObject.Parse(\"{\\\"a\\\": 1}\")[\"missing\"] == null",
            "True",
        ),
        (
            "JObject.Parse(\"{\\\"a\\\": 1}\").ToString(Newtonsoft.Json.Formatting.None)",
            "{\"a\":1}",
        ),
        (
            "JObject.Parse(\"{\\\"a\\\": [1, {}]}\").ToString()",
            "{\n  \"a\": [\n    1,\n    {}\n  ]\n}",
        ),
        (
            "JObject.Parse(\"[1]\")",
            "!Newtonsoft.Json.JsonReaderException: Error reading JObject from JsonReader. Current JsonReader item is not an object: StartArray. Path '', line 1, position 1.",
        ),
        ("JArray.Parse(\"[1, 2, 3]\").Count", "3"),
        (
            "JArray.Parse(\"[1, 2, 3]\").Select(x => (int)x * 2).Sum()",
            "12",
        ),
        ("JToken.Parse(\"\\\"s\\\"\").Type", "String"),
        (
            "JObject.Parse(\"{\\\"a\\\": {\\\"b\\\": [10, 20]}}\").SelectToken(\"a.b[1]\")",
            "20",
        ),
        (
            "JObject.Parse(\"{\\\"a\\\": 1}\")[\"a\"][\"x\"]",
            "!System.InvalidOperationException: Cannot access child value on Newtonsoft.Json.Linq.JValue.",
        ),
        (
            "var o = new JObject(); o[\"x\"] = 1; o.Add(\"y\", \"s\"); o[\"z\"] = new JArray(1, \"a\"); return o.ToString(Formatting.None);",
            "{\"x\":1,\"y\":\"s\",\"z\":[1,\"a\"]}",
        ),
        (
            "var o = new JObject(new JProperty(\"a\", 1), new JProperty(\"b\", new JObject())); return o.ToString();",
            "{\n  \"a\": 1,\n  \"b\": {}\n}",
        ),
        (
            "var o = JObject.Parse(\"{\\\"a\\\":1,\\\"b\\\":2}\"); o.Remove(\"a\"); return o.ToString(Formatting.None);",
            "{\"b\":2}",
        ),
        (
            "JObject.Parse(\"{\\\"a\\\":1,\\\"b\\\":2}\").Properties().Select(p => p.Name).Aggregate((x, y) => x + y)",
            "ab",
        ),
        (
            "JObject.Parse(\"{\\\"a\\\":1}\").ContainsKey(\"a\")",
            "True",
        ),
        (
            "JsonConvert.SerializeObject(new { a = 1, b = \"x\", c = new[] { 1, 2 } })",
            "{\"a\":1,\"b\":\"x\",\"c\":[1,2]}",
        ),
        (
            "JObject.FromObject(new { id = 5 }).ToString(Formatting.None)",
            "{\"id\":5}",
        ),
        ("JsonConvert.SerializeObject(\"a\\\"b\")", "\"a\\\"b\""),
        ("JsonConvert.SerializeObject(1.0)", "1.0"),
        (
            "JsonConvert.DeserializeObject<JObject>(\"{\\\"k\\\":2}\")[\"k\"]",
            "2",
        ),
        (
            "JsonConvert.DeserializeObject<Dictionary<string, string>>(\"{\\\"k\\\":\\\"v\\\"}\")[\"k\"]",
            "v",
        ),
        (
            "var o = JObject.Parse(\"{}\"); o[\"self\"] = o; return o.ToString(Formatting.None);",
            "{\"self\":{}}",
        ),
        (
            "new JObject { [\"a\"] = 1 }.ToString(Formatting.None)",
            "{\"a\":1}",
        ),
        ("new JArray { 1, 2 }.Count", "2"),
    ]);
}

#[test]
fn collections_and_linq() {
    check(&[
        ("new[] { 3, 1, 2 }.OrderBy(x => x).First()", "1"),
        ("new[] { 3, 1, 2 }.OrderByDescending(x => x).First()", "3"),
        ("new[] { 1, 2, 3, 4 }.Where(x => x % 2 == 0).Count()", "2"),
        ("new[] { 1, 2, 3 }.Where((x, i) => i > 0).Sum()", "5"),
        ("new[] { 1, 2, 3 }.Any(x => x > 2)", "True"),
        ("new[] { 1, 2, 3 }.All(x => x > 2)", "False"),
        ("new int[0].FirstOrDefault()", ""),
        (
            "new string[0].First()",
            "!System.InvalidOperationException: Sequence contains no elements",
        ),
        (
            "new[] { 1, 2 }.Single()",
            "!System.InvalidOperationException: Sequence contains more than one element",
        ),
        (
            "new[] { \"a\", \"b\" }.Single(x => x == \"c\")",
            "!System.InvalidOperationException: Sequence contains no matching element",
        ),
        ("new[] { 1, 2, 3 }.Last()", "3"),
        ("new[] { 1, 2, 3 }.Skip(1).Take(1).First()", "2"),
        ("new[] { 1, 1, 2 }.Distinct().Count()", "2"),
        ("new[] { 1.5, 2.5 }.Max()", "2.5"),
        ("new[] { 1, 2, 3 }.Average()", "2"),
        (
            "string.Join(\",\", new[] { \"b\", \"a\" }.OrderBy(s => s))",
            "a,b",
        ),
        (
            "new[] { \"a\", \"b\" }.Contains(\"B\", StringComparer.OrdinalIgnoreCase)",
            "True",
        ),
        ("new[] { \"post\", \"put\" }.Contains(\"get\")", "False"),
        (
            "string.Join(\";\", new[] { \"a:1\", \"b:2\" }.Select(x => x.Split(':')).ToDictionary(p => p[0], p => p[1]).Keys)",
            "a;b",
        ),
        (
            "new[] { \"ab\", \"cd\" }.SelectMany(s => s.ToCharArray()).Count()",
            "4",
        ),
        ("new[] { 1, 2, 3, 4 }.GroupBy(x => x % 2).Count()", "2"),
        ("new[] { 1, 2, 3 }.Aggregate(10, (a, b) => a + b)", "16"),
        (
            "var l = new List<string>(); l.Add(\"x\"); l.Add(\"y\"); l.Remove(\"x\"); return l.Count + \":\" + l[0];",
            "1:y",
        ),
        (
            "var d = new Dictionary<string, string>(); d[\"a\"] = \"1\"; d.Add(\"b\", \"2\"); return d[\"a\"] + d.Count;",
            "12",
        ),
        (
            "var d = new Dictionary<string, string>(); return d[\"x\"];",
            "!System.Collections.Generic.KeyNotFoundException: The given key 'x' was not present in the dictionary.",
        ),
        (
            "var d = new Dictionary<string, int> { { \"a\", 1 } }; return d.TryGetValue(\"a\", out var v) ? v : -1;",
            "1",
        ),
        (
            "var d = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { [\"A\"] = 1 }; return d.ContainsKey(\"a\");",
            "True",
        ),
        (
            "new[] { 1, 2 }[5]",
            "!System.IndexOutOfRangeException: Index was outside the bounds of the array.",
        ),
        ("Enumerable.Range(1, 4).Sum()", "10"),
        (
            "var a = new byte[4]; Array.Copy(new byte[] { 1, 2 }, 0, a, 1, 2); return a[2];",
            "2",
        ),
        ("new[] { 1, 2 }.ToString()", "System.Int32[]"),
        ("new { a = 1, b = \"x\" }", "{ a = 1, b = x }"),
        ("new { a = 1 }.a", "1"),
    ]);
}

#[test]
fn statements() {
    check(&[
        (
            "var x = 0; for (var i = 0; i < 10; i++) { if (i == 5) break; if (i % 2 == 0) continue; x += i; } return x;",
            "4",
        ),
        (
            "var s = \"\"; foreach (var c in \"abc\") { s = c + s; } return s;",
            "cba",
        ),
        ("int n = 0; while (n < 3) n++; return n;", "3"),
        ("int n = 0; do { n += 2; } while (n < 5); return n;", "6"),
        (
            "switch (\"b\") { case \"a\": return 1; case \"b\": case \"c\": return 2; default: return 3; }",
            "2",
        ),
        ("switch (9) { case 1: return 1; default: return 0; }", "0"),
        (
            "try { throw new Exception(\"boom\"); } catch (Exception e) { return e.Message; }",
            "boom",
        ),
        (
            "try { return int.Parse(\"x\").ToString(); } catch (FormatException) { return \"bad\"; }",
            "bad",
        ),
        (
            "try { return JObject.Parse(\"{\").ToString(); } catch (JsonReaderException e) { return \"json\"; }",
            "json",
        ),
        (
            "var r = \"\"; try { r += \"a\"; } finally { r += \"b\"; } return r;",
            "ab",
        ),
        ("int Twice(int a) { return a * 2; } return Twice(21);", "42"),
        (
            "int Fact(int n) => n <= 1 ? 1 : n * Fact(n - 1); return Fact(5);",
            "120",
        ),
        ("double d = 1; return d / 2;", "0.5"),
        ("long l = 3; return l / 2;", "1"),
        ("string s = null; return s ?? \"null\";", "null"),
        ("var x = 5; x -= 2; x *= 3; x /= 2; x %= 3; return x;", "1"),
        (
            "var a = new[] { 1, 2 }; a[0] = 9; return a[0] + a[1];",
            "11",
        ),
        ("Func<int, int> f = x => x + 1; return f(1);", "2"),
        ("var i = 0; var j = i++ + ++i; return j;", "2"),
        (
            "throw new InvalidOperationException(\"nope\");",
            "!System.InvalidOperationException: nope",
        ),
        ("if (true) { return \"a\"; } else { return \"b\"; }", "a"),
    ]);
}

#[test]
fn context_model() {
    check(&[
        ("context.Request.Method", "POST"),
        ("context.Request.Url.Host", "contoso.azure-api.net"),
        ("context.Request.Url.Path", "/orders/items/42"),
        ("context.Request.Url.Port", "443"),
        ("context.Request.Url.Scheme", "https"),
        (
            "context.Request.Url.QueryString",
            "?verbose=true&tag=a&tag=b",
        ),
        (
            "context.Request.Url.Query.GetValueOrDefault(\"tag\", \"\")",
            "a,b",
        ),
        (
            "context.Request.Url.Query.GetValueOrDefault(\"none\", \"d\")",
            "d",
        ),
        ("context.Request.Url.Query[\"tag\"][1]", "b"),
        (
            "context.Request.Url.ToString()",
            "https://contoso.azure-api.net/orders/items/42?verbose=true&tag=a&tag=b",
        ),
        (
            "context.Request.Url.ToUri().AbsolutePath",
            "/orders/items/42",
        ),
        (
            "context.Request.OriginalUrl.Host + context.Api.Path",
            "contoso.azure-api.net",
        ),
        (
            "context.Request.Headers.GetValueOrDefault(\"accept\", \"\")",
            "application/json,text/plain",
        ),
        (
            "context.Request.Headers.GetValueOrDefault(\"missing\", \"none\")",
            "none",
        ),
        ("context.Request.Headers.GetValueOrDefault(\"missing\")", ""),
        ("context.Request.Headers.ContainsKey(\"ACCEPT\")", "True"),
        ("context.Request.Headers[\"Accept\"].Length", "2"),
        (
            "context.Request.Headers[\"nope\"]",
            "!System.Collections.Generic.KeyNotFoundException: The given key 'nope' was not present in the dictionary.",
        ),
        ("context.Request.Headers.Count", "3"),
        (
            "context.Request.Headers.Where(h => h.Key.StartsWith(\"X-\")).Select(h => h.Key).First()",
            "X-Key",
        ),
        (
            "context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").AsJwt()?.Subject",
            "1234567890",
        ),
        (
            "context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").AsJwt().Claims.GetValueOrDefault(\"name\", \"\")",
            "John Doe",
        ),
        (
            "context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").AsJwt().Claims.GetValueOrDefault(\"aud\", \"\")",
            "api,web",
        ),
        (
            "context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").AsJwt().Audiences.Length",
            "2",
        ),
        (
            "context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").AsJwt().IssuedAt.Year",
            "2018",
        ),
        (
            "context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").AsJwt().ExpirationTime == null",
            "True",
        ),
        ("\"nope\".AsJwt() == null", "True"),
        ("\"Basic dXNlcjpwYXNz\".AsBasic().Password", "pass"),
        ("context.Request.MatchedParameters[\"id\"]", "42"),
        (
            "context.Request.MatchedParameters.GetValueOrDefault(\"id\", \"\")",
            "42",
        ),
        ("context.Request.IpAddress", "203.0.113.7"),
        (
            "context.Request.Body.As<JObject>(preserveContent: true)[\"name\"]",
            "ada",
        ),
        ("context.Request.Body.As<string>(true).Length", "66"),
        ("context.Variables[\"s\"]", "hello"),
        ("(string)context.Variables[\"s\"] + \"!\"", "hello!"),
        ("(int)context.Variables[\"i\"] * 2", "14"),
        ("context.Variables.ContainsKey(\"s\")", "True"),
        (
            "context.Variables[\"nope\"]",
            "!System.Collections.Generic.KeyNotFoundException: The given key 'nope' was not present in the dictionary.",
        ),
        (
            "context.Variables.GetValueOrDefault<string>(\"s\")",
            "hello",
        ),
        (
            "context.Variables.GetValueOrDefault<string>(\"nope\", \"d\")",
            "d",
        ),
        ("context.Variables.GetValueOrDefault(\"nope\", \"d\")", "d"),
        ("context.Variables.GetValueOrDefault<int>(\"nope\")", "0"),
        (
            "context.Variables.GetValueOrDefault<string>(\"i\")",
            "!System.InvalidCastException: Unable to cast object of type 'System.Int32' to type 'System.String'.",
        ),
        (
            "context.Variables.GetValueOrDefault(\"i\", \"\")",
            "!System.InvalidCastException: Unable to cast object of type 'System.Int32' to type 'System.String'.",
        ),
        (
            "(string)context.Variables[\"i\"]",
            "!System.InvalidCastException: Unable to cast object of type 'System.Int32' to type 'System.String'.",
        ),
        ("((IResponse)context.Variables[\"r\"]).StatusCode", "200"),
        (
            "((IResponse)context.Variables[\"r\"]).Body.As<JObject>()[\"value\"].ToString()",
            "kv-secret",
        ),
        (
            "((IResponse)context.Variables[\"r\"]).Headers.GetValueOrDefault(\"content-type\", \"\")",
            "application/json",
        ),
        (
            "(IResponse)context.Variables[\"s\"]",
            "!System.InvalidCastException: Unable to cast object of type 'System.String' to type 'Microsoft.WindowsAzure.ApiManagement.Proxy.Gateway.Policies.Expressions.IResponse'.",
        ),
        (
            "context.Variables.GetValueOrDefault<IResponse>(\"r\").StatusCode",
            "200",
        ),
        ("context.Response.StatusCode", "200"),
        ("context.Response.Body == null", "True"),
        ("context.Deployment.Region", "West Europe"),
        ("context.Deployment.GatewayId", "managed"),
        ("context.Product == null", "True"),
        (
            "context.Product.Name",
            "!System.NullReferenceException: Object reference not set to an instance of an object.",
        ),
        ("context.User?.Email ?? \"anonymous\"", "anonymous"),
        ("context.LastError == null", "True"),
        (
            "context.RequestId.ToString()",
            "6a0f4c1e-5b7d-4e2a-9c3b-8d1f2e4a6b70",
        ),
        (
            "context.Timestamp.ToString(\"o\")",
            "2026-01-01T00:00:00.0000000Z",
        ),
        ("context.Elapsed.TotalMilliseconds", "0"),
        ("context.Tracing", "False"),
    ]);
}

#[test]
fn body_is_consumed_unless_preserved() {
    let mut ctx = sample_context();
    let first = eval_in(
        &mut ctx,
        "context.Request.Body.As<string>()",
        ExprKind::Single,
    )
    .unwrap();
    assert!(first.to_policy_string().starts_with("{\"name\""));
    assert!(ctx.request.body.as_ref().unwrap().consumed);
    let second = eval_in(
        &mut ctx,
        "context.Request.Body.As<string>()",
        ExprKind::Single,
    )
    .unwrap();
    assert_eq!(second.to_policy_string(), "");
    let err = eval_in(
        &mut ctx,
        "context.Request.Body.As<JObject>()",
        ExprKind::Single,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Error reading JObject from JsonReader. Path '', line 0, position 0."
    );

    let mut ctx = sample_context();
    eval_in(
        &mut ctx,
        "context.Request.Body.As<JObject>(preserveContent: true)",
        ExprKind::Single,
    )
    .unwrap();
    assert!(!ctx.request.body.as_ref().unwrap().consumed);

    // An IResponse body too.
    let mut ctx = sample_context();
    eval_in(
        &mut ctx,
        "((IResponse)context.Variables[\"r\"]).Body.As<string>()",
        ExprKind::Single,
    )
    .unwrap();
    let r = ctx.variables.get("r").unwrap().as_response().unwrap();
    assert!(r.body.unwrap().consumed);
}

#[test]
fn taint_flows_through_operations() {
    let mut ctx = sample_context();
    let secret = |ctx: &mut Context, code: &str| {
        let kind = if code.contains("return ") {
            ExprKind::Block
        } else {
            ExprKind::Single
        };
        let v = eval_in(ctx, code, kind).unwrap();
        (v.to_policy_string(), v.is_secret())
    };
    assert_eq!(
        secret(&mut ctx, "(string)context.Variables[\"s\"]"),
        ("hello".into(), false)
    );
    assert_eq!(
        secret(&mut ctx, "\"Bearer \" + context.Variables[\"secret\"]"),
        ("Bearer s3cr3t".into(), true)
    );
    assert!(secret(&mut ctx, "$\"k={context.Variables[\"secret\"]}\"").1);
    assert!(
        secret(
            &mut ctx,
            "Convert.ToBase64String(Encoding.UTF8.GetBytes((string)context.Variables[\"secret\"]))"
        )
        .1
    );
    assert!(
        secret(
            &mut ctx,
            "((string)context.Variables[\"secret\"]).ToUpper().Substring(1)"
        )
        .1
    );
    assert!(secret(&mut ctx, "var sb = new StringBuilder(); sb.Append(\"x\"); sb.Append(context.Variables[\"secret\"]); return sb.ToString();").1);
    assert!(secret(&mut ctx, "var o = new JObject(); o[\"k\"] = (string)context.Variables[\"secret\"]; return o.ToString();").1);
    assert!(
        secret(
            &mut ctx,
            "((string)context.Variables[\"secret\"]).Split('3')[0]"
        )
        .1
    );
    assert!(
        secret(
            &mut ctx,
            "new[] { (string)context.Variables[\"secret\"] }.Select(x => x + \"!\").First()"
        )
        .1
    );
    // Strings read from the context that contain a known secret value.
    assert!(
        secret(
            &mut ctx,
            "context.Request.Headers.GetValueOrDefault(\"X-Key\", \"\")"
        )
        .1
    );
    assert!(
        !secret(
            &mut ctx,
            "context.Request.Headers.GetValueOrDefault(\"Accept\", \"\")"
        )
        .1
    );
    // Booleans and lengths stay clean.
    assert_eq!(
        secret(&mut ctx, "context.Variables[\"secret\"] == \"s3cr3t\""),
        ("True".into(), false)
    );
    assert!(!secret(&mut ctx, "((string)context.Variables[\"secret\"]).Length").1);
}

#[test]
fn runtime_errors_carry_the_failing_span() {
    let code = "context.Variables[\"missing\"].ToString()";
    let mut ctx = sample_context();
    let e = eval_in(&mut ctx, code, ExprKind::Single).unwrap_err();
    assert_eq!(
        &code[e.span.start..e.span.end],
        "context.Variables[\"missing\"]"
    );
    let code = "var s = (string)null; return s.Trim();";
    let e = eval_in(&mut ctx, code, ExprKind::Block).unwrap_err();
    assert_eq!(
        e.message,
        "Object reference not set to an instance of an object."
    );
    assert_eq!(&code[e.span.start..e.span.end], "s");
}

#[test]
fn limits_stop_runaway_expressions() {
    let mut ctx = sample_context();
    let start = std::time::Instant::now();
    let e = eval_in(&mut ctx, "while (true) { }", ExprKind::Block).unwrap_err();
    assert!(e.limit);
    assert!(e.message.contains("steps"), "{}", e.message);
    assert!(start.elapsed().as_secs() < 5);
    // try/catch cannot swallow a limit.
    let e = eval_in(
        &mut ctx,
        "try { while (true) { } } catch (Exception) { return 1; }",
        ExprKind::Block,
    )
    .unwrap_err();
    assert!(e.limit);
    // Endless recursion.
    let e = eval_in(
        &mut ctx,
        "int F(int n) { return F(n + 1); } return F(0);",
        ExprKind::Block,
    )
    .unwrap_err();
    assert!(e.limit, "{e:?}");
    // Exponential string growth.
    let e = eval_in(
        &mut ctx,
        "var s = \"x\"; for (var i = 0; i < 64; i++) { s = s + s; } return s;",
        ExprKind::Block,
    )
    .unwrap_err();
    assert!(e.limit && e.message.contains("string"), "{e:?}");
    // Huge allocation.
    let e = eval_in(&mut ctx, "return new byte[int.MaxValue];", ExprKind::Block).unwrap_err();
    assert!(e.limit, "{e:?}");
    let e = eval_in(
        &mut ctx,
        "return Enumerable.Range(0, 2000000000).Count();",
        ExprKind::Block,
    )
    .unwrap_err();
    assert!(e.limit, "{e:?}");
    let e = eval_in(
        &mut ctx,
        "return new string('x', int.MaxValue);",
        ExprKind::Block,
    )
    .unwrap_err();
    assert!(e.limit, "{e:?}");
}

#[test]
fn never_panics_evaluating_prefixes() {
    let long = r#"var jwt = context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt(); var o = new JObject { ["a"] = $"{jwt?.Subject:N2}" }; foreach (var c in jwt.Claims.Where(x => x.Key != "a")) { o[c.Key] = string.Join(",", c.Value); } var b = context.Request.Body.As<JObject>(true); switch (o.Count) { case 0: return @"none""q"; default: return (string)o["a"] ?? b["items"][2]["x"].ToString() + new[]{1,2}.Select((x, i) => x * i).Sum() + DateTime.UtcNow.AddDays(-1).ToString("yyyy") + Convert.ToBase64String(Encoding.UTF8.GetBytes("x")); }"#;
    for i in 0..=long.len() {
        if !long.is_char_boundary(i) {
            continue;
        }
        for code in [&long[..i], &long[i..]] {
            for kind in [ExprKind::Block, ExprKind::Single] {
                let p = parse(code, kind);
                let mut ctx = sample_context();
                let _ = evaluate(&p, &mut ctx, &Limits::default());
            }
        }
    }
    let p = parse(long, ExprKind::Block);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let mut ctx = sample_context();
    let v = evaluate(&p, &mut ctx, &Limits::default()).unwrap();
    assert_eq!(v.to_policy_string(), "1234567890");
}

#[test]
fn regex_xml_uri_and_out_vars() {
    check(&[
        ("Regex.IsMatch(\"abc123\", @\"\\d+\")", "True"),
        (
            "Regex.Match(\"order-42\", @\"(\\w+)-(\\d+)\").Groups[2].Value",
            "42",
        ),
        (
            "Regex.Match(\"order-42\", @\"(?<id>\\d+)\").Groups[\"id\"].Value",
            "42",
        ),
        ("Regex.Match(\"abc\", \"z\").Success", "False"),
        ("Regex.Replace(\"a1b22\", @\"\\d+\", \"#\")", "a#b#"),
        (
            "Regex.Replace(\"john smith\", @\"(\\w+) (\\w+)\", \"$2, $1\")",
            "smith, john",
        ),
        (
            "Regex.Replace(\"abc\", \"b\", m => m.Value.ToUpper())",
            "aBc",
        ),
        ("Regex.Split(\"a1b2c\", @\"\\d\").Length", "3"),
        ("Regex.Matches(\"a1b2c3\", @\"\\d\").Count", "3"),
        (
            "new Regex(\"^A\", RegexOptions.IgnoreCase).IsMatch(\"abc\")",
            "True",
        ),
        ("Regex.Escape(\"a.b\")", "a\\.b"),
        (
            "Regex.IsMatch(\"a\", \"(?=a)\")",
            "!System.ArgumentException: Invalid pattern '(?=a)': `(?=` (lookaround, atomic groups, backreferences) is not supported by the policy simulator's regex engine.",
        ),
        (
            "XDocument.Parse(\"<a><b k='v'>x</b><b>y</b></a>\").Root.Elements(\"b\").Count()",
            "2",
        ),
        (
            "XDocument.Parse(\"<a><b k='v'>x</b></a>\").Root.Element(\"b\").Attribute(\"k\").Value",
            "v",
        ),
        (
            "XElement.Parse(\"<a><b>x</b><c><b>y</b></c></a>\").Descendants(\"b\").Last().Value",
            "y",
        ),
        (
            "XElement.Parse(\"<a><b>x</b></a>\").ToString()",
            "<a>\n  <b>x</b>\n</a>",
        ),
        (
            "XNamespace ns = \"urn:x\"; return XElement.Parse(\"<r xmlns='urn:x'><v>1</v></r>\").Element(ns + \"v\").Value;",
            "1",
        ),
        (
            "new XElement(\"a\", new XAttribute(\"k\", 1), \"t\").ToString()",
            "<a k=\"1\">t</a>",
        ),
        (
            "XDocument.Parse(\"<a>\")",
            "!System.Xml.XmlException: Unexpected end of file has occurred. Line 1, position 4.",
        ),
        ("new Uri(\"https://x.org:8443/p/q?a=1\").Port", "8443"),
        (
            "new Uri(\"https://x.org/p/q?a=1\").PathAndQuery",
            "/p/q?a=1",
        ),
        ("new Uri(\"https://x.org/p/q?a=1\").Query", "?a=1"),
        (
            "new Uri(\"nope\")",
            "!System.UriFormatException: Invalid URI: The format of the URI could not be determined.",
        ),
        (
            "System.Net.IPAddress.Parse(\"10.0.0.1\").ToString()",
            "10.0.0.1",
        ),
        ("int.TryParse(\"5\", out var n) ? n * 2 : -1", "10"),
        ("int.TryParse(\"x\", out var n) ? n : -1", "-1"),
        ("Guid.TryParse(\"nope\", out var g)", "False"),
        ("\"Bearer a.b\".TryParseJwt(out var jwt)", "False"),
        (
            "context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").TryParseJwt(out var jwt) ? jwt.Algorithm : \"none\"",
            "HS256",
        ),
        (
            "\"Basic dXNlcjpwYXNz\".TryParseBasic(out var b) ? b.UserId : \"\"",
            "user",
        ),
        (
            "context.Variables.TryGetValue(\"s\", out var v) ? v : \"none\"",
            "hello",
        ),
        (
            "context.Request.Headers.TryGetValue(\"accept\", out var h) ? h[1] : \"\"",
            "text/plain",
        ),
    ]);
}

#[test]
fn deepest_accepted_nesting_evaluates_without_overflow() {
    // The parser's depth bound keeps evaluation well inside the stack, even in debug builds.
    let code = format!("{}1{}", "(".repeat(38), ")".repeat(38));
    assert_eq!(run(&code), "1");
    let code =
        format!("{}x{}", "new[] { ".repeat(12), " }.First()".repeat(12)).replace('x', "\"x\"");
    assert_eq!(run(&code), "x");
    let chain = (0..400)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    assert_eq!(run(&chain), "79800");
    let lambdas = "new[] { 1 }.Select(a => new[] { a }.Select(b => new[] { b }.Select(c => new[] { c }.Select(d => d + 1).First()).First()).First()).First()";
    assert_eq!(run(lambdas), "2");
}

#[test]
fn values_nested_by_loops_do_not_overflow_the_stack() {
    let limits = Limits {
        max_steps: 5_000_000,
        ..Limits::default()
    };
    for code in [
        "var l = new List<object>(); for (var i = 0; i < 50000; i++) { var n = new List<object>(); n.Add(l); l = n; } return l.Count;",
        "object a = new { x = 1 }; for (var i = 0; i < 50000; i++) { a = new { x = a }; } return a.ToString().Length > 0;",
        "var o = new JObject(); for (var i = 0; i < 50000; i++) { var p = new JObject(); p[\"c\"] = o; o = p; } return o.ToString().Length;",
        "var root = new JObject(); var cur = root; for (var i = 0; i < 50000; i++) { var n = new JObject(); cur[\"c\"] = n; cur = n; } return root.ToString().Length;",
        "var e = new XElement(\"a\"); for (var i = 0; i < 50000; i++) { e = new XElement(\"a\", e); } return e.ToString().Length;",
        "var d = new Dictionary<string, object>(); for (var i = 0; i < 50000; i++) { var n = new Dictionary<string, object>(); n[\"k\"] = d; d = n; } return d.Count;",
    ] {
        let p = parse(code, ExprKind::Block);
        assert!(p.errors.is_empty(), "{code}: {:?}", p.errors);
        let mut ctx = sample_context();
        ctx.variables.set("secret", Value::secret_string("s"));
        let r = evaluate(&p, &mut ctx, &limits);
        if let Ok(v) = &r {
            let _ = v.is_secret();
        }
    }
}

#[test]
fn extreme_arguments_are_errors_not_panics() {
    for code in [
        "new TimeSpan(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue)",
        "TimeSpan.Parse(\"99999999999999999\")",
        "DateTime.UtcNow.AddMonths(int.MaxValue)",
        "DateTime.UtcNow.AddYears(-100000)",
        "\"abc\".Substring(1, int.MaxValue)",
        "\"abc\".Remove(1, int.MaxValue)",
        "\"abc\".PadLeft(int.MaxValue)",
        "(1.5).ToString(\"D999999999\")",
        "7.ToString(\"D999999999\")",
        "new List<int> { 1 }.GetRange(1, int.MaxValue)",
        "BitConverter.ToString(new byte[] { 1 }, 1, int.MaxValue)",
        "Convert.ToBase64String(new byte[] { 1 }, 1, int.MaxValue)",
        "DateTime.DaysInMonth(long.MaxValue, 1)",
        "Math.Abs(int.MinValue)",
        "int.MinValue / -1",
        "long.MinValue % -1",
        "-int.MinValue",
        "DateTimeOffset.FromUnixTimeSeconds(long.MaxValue)",
        "new DateTime(long.MaxValue, 1, 1)",
        "TimeSpan.FromDays(1e300)",
        "Enumerable.Range(int.MaxValue, 2).Sum()",
        "new[] { int.MaxValue, 1 }.Sum()",
        "(int)double.NaN",
        "Convert.ToInt32(double.MaxValue)",
        "string.Format(\"{0,2147483647}\", 1)",
        "$\"{1,-2147483648}\"",
    ] {
        let _ = run(code);
    }
}

#[test]
fn random_token_soup_never_panics() {
    const WORDS: &[&str] = &[
        "context",
        ".",
        "Request",
        "Headers",
        "GetValueOrDefault",
        "(",
        ")",
        "\"a\"",
        ",",
        "[",
        "]",
        "{",
        "}",
        ";",
        "return",
        "var",
        "x",
        "=",
        "1",
        "2.5",
        "+",
        "-",
        "*",
        "/",
        "%",
        "?",
        ":",
        "??",
        "?.",
        "=>",
        "new",
        "JObject",
        "List<string>",
        "int",
        "string",
        "Parse",
        "Split",
        "'c'",
        "$\"{x}\"",
        "@\"v\"",
        "if",
        "else",
        "for",
        "foreach",
        "in",
        "while",
        "true",
        "null",
        "Variables",
        "Body",
        "As<JObject>",
        "Select",
        "Where",
        "First",
        "ToString",
        "Length",
        "<",
        ">",
        "==",
        "!",
        "&&",
        "||",
        "<<",
        ">>",
        "++",
        "--",
        "is",
        "as",
        "out",
        "throw",
        "try",
        "catch",
        "switch",
        "case",
        "default",
        "break",
        "Convert",
        "ToBase64String",
        "Encoding",
        "UTF8",
        "GetBytes",
        "DateTime",
        "UtcNow",
        "AddDays",
        "Regex",
        "Match",
        "\"(a)\"",
        "Value",
        "int.MaxValue",
        "long.MinValue",
        "0",
        "-1",
        "Substring",
        "Guid",
        "NewGuid",
        "Math",
        "Pow",
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..10_000 {
        let n = (next() % 40) as usize + 1;
        let code: Vec<&str> = (0..n)
            .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
            .collect();
        let code = code.join(" ");
        for kind in [ExprKind::Single, ExprKind::Block] {
            let p = parse(&code, kind);
            let mut ctx = sample_context();
            let _ = evaluate(&p, &mut ctx, &Limits::default());
        }
    }
}

#[test]
fn header_lookups_read_in_place_as_through_the_dictionary_value() {
    // `context.Request.Headers.GetValueOrDefault(…)` and its kin read the headers in place;
    // the answer (value and taint) is the one the dictionary value gives.
    let calls = [
        "GetValueOrDefault(\"accept\", \"\")",
        "GetValueOrDefault(\"X-Key\", \"\")",
        "GetValueOrDefault(\"missing\", \"none\")",
        "GetValueOrDefault(\"missing\", (string)context.Variables[\"secret\"])",
        "GetValueOrDefault(\"missing\")",
        "GetValueOrDefault(null, \"\")",
        "ContainsKey(\"ACCEPT\")",
        "ContainsKey(\"missing\")",
    ];
    for host in ["Request", "Response"] {
        for call in calls {
            let direct = format!("context.{host}.Headers.{call}");
            let copied = format!("var h = context.{host}.Headers; return h.{call};");
            let mut a = sample_context();
            a.response.headers = a.request.headers.clone();
            let mut b = a.clone();
            let x = eval_in(&mut a, &direct, ExprKind::Single);
            let y = eval_in(&mut b, &copied, ExprKind::Block);
            match (x, y) {
                (Ok(x), Ok(y)) => {
                    assert_eq!(x.to_policy_string(), y.to_policy_string(), "{direct}");
                    assert_eq!(x.is_secret(), y.is_secret(), "{direct}");
                }
                (Err(x), Err(y)) => assert_eq!(x.message, y.message, "{direct}"),
                (x, y) => panic!("{direct}: {x:?} vs {y:?}"),
            }
        }
    }
    for (code, want) in [
        (
            "string v; return context.Request.Headers.TryGetValue(\"accept\", out var a) ? string.Join(\"|\", a) : \"no\";",
            "application/json|text/plain",
        ),
        (
            "return context.Request.Headers.TryGetValue(\"missing\", out var a) ? \"yes\" : \"no\";",
            "no",
        ),
    ] {
        assert_eq!(run(code), want, "{code}");
    }
}

#[test]
fn matched_parameters_index_in_place_as_through_the_dictionary_value() {
    // `context.Request.MatchedParameters["id"]` reads the parameters in place; the answer
    // (value, taint, error) is the one the dictionary value gives.
    for key in [
        "\"id\"",
        "\"ID\"",
        "\"key\"",
        "\"missing\"",
        "(string)context.Variables[\"secret\"]",
        "1",
        "null",
    ] {
        let direct = format!("context.Request.MatchedParameters[{key}]");
        let copied = format!("var d = context.Request.MatchedParameters; return d[{key}];");
        let mut a = sample_context();
        a.request
            .matched_parameters
            .push(("key".into(), "k-s3cr3t".into()));
        let mut b = a.clone();
        let x = eval_in(&mut a, &direct, ExprKind::Single);
        let y = eval_in(&mut b, &copied, ExprKind::Block);
        match (x, y) {
            (Ok(x), Ok(y)) => {
                assert_eq!(x.to_policy_string(), y.to_policy_string(), "{direct}");
                assert_eq!(x.is_secret(), y.is_secret(), "{direct}");
            }
            (Err(x), Err(y)) => {
                assert_eq!(
                    (x.exception, x.message),
                    (y.exception, y.message),
                    "{direct}"
                )
            }
            (x, y) => panic!("{direct}: {x:?} vs {y:?}"),
        }
    }
}

#[test]
fn url_write_into_is_its_display() {
    for s in [
        "https://contoso.azure-api.net/orders/items/42?verbose=true&tag=a&tag=b",
        "http://h:8080/a%20b?x=%C3%A9&y=1+2&z",
        "https://h/",
        "http://h:80",
    ] {
        let u = Url::parse(s).unwrap();
        let mut out = String::from("at ");
        u.write_into(&mut out);
        assert_eq!(out, format!("at {u}"), "{s}");
    }
}
