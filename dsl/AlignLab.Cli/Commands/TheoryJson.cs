using System.Globalization;
using System.Text;
using System.Text.Json;
using AlignLab.Theory;

namespace AlignLab.Cli.Commands;

/// <summary>
/// The JSON contract of <c>alignlab theory</c> (issue 3, item 6): reading case files and writing the eval, frontier and
/// continuous results. Numbers are JSON numbers; a non-finite value (an infinite KL) is written as the string
/// "Infinity", and such strings ("NaN", "Infinity", "-Infinity") are read back too, so that validation can name them.
/// </summary>
internal static class TheoryJson
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>The parameter name each kind takes in a case file.</summary>
    public static readonly IReadOnlyDictionary<string, string?> ParameterOfKind = new Dictionary<string, string?>
    {
        ["base"] = null,
        ["bon"] = "n",
        ["worst"] = "n",
        ["optimal"] = "c",
        ["rlhf"] = "beta",
    };

    private static readonly string[] CaseKeys = ["probs", "rewards", "policies"];

    /// <summary>
    /// Parses a case file's text; <paramref name="source"/> names it in messages. Strict: an unknown key (a typo such as
    /// "polices" would otherwise silently drop the policies) or a key given twice is an error naming it.
    /// </summary>
    /// <exception cref="TheoryInputException">The text is not valid JSON or does not have the case shape.</exception>
    public static TheoryCase ParseCase(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new TheoryInputException($"{source} is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TheoryInputException($"{source}: expected a JSON object with \"probs\" and \"rewards\", got {Describe(root)}.");
            CheckKeys(root, CaseKeys, source, "", "a case file has \"probs\", \"rewards\" and \"policies\"");
            var probs = NumberArray(root, "probs", source);
            var rewards = NumberArray(root, "rewards", source);
            var policies = new List<TheoryPolicySpec>();
            if (root.TryGetProperty("policies", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                    throw new TheoryInputException($"{source}: \"policies\" must be an array, got {Describe(list)}.");
                int index = 0;
                foreach (var item in list.EnumerateArray()) policies.Add(Policy(item, $"policies[{index++}]", source));
            }
            return new TheoryCase(probs, rewards, policies);
        }
    }

    /// <summary>Writes the eval result: {"policies":[{"kind", parameter, "probs", "winRate", "kl", "reverseKl", "expectedReward"}, …]}.</summary>
    public static string WriteEval(IReadOnlyList<(TheoryPolicySpec Spec, DiscretePolicy Policy)> policies)
    {
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("policies");
            foreach (var (spec, policy) in policies)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", spec.Kind);
                if (spec.ParameterName is { } name) Number(writer, name, spec.Parameter!.Value);
                writer.WriteStartArray("probs");
                foreach (double p in policy.Probabilities) Number(writer, null, p);
                writer.WriteEndArray();
                Number(writer, "winRate", Measures.WinRate(policy));
                Number(writer, "kl", Measures.Kl(policy));
                Number(writer, "reverseKl", Measures.ReverseKl(policy));
                Number(writer, "expectedReward", Measures.ExpectedReward(policy));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>Writes a frontier: {"family", "points":[{"parameter", "kl", "winRate", "expectedReward"}, …]}.</summary>
    public static string WriteFrontier(string family, IReadOnlyList<FrontierPoint> points)
    {
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("family", family);
            writer.WriteStartArray("points");
            foreach (var point in points)
            {
                writer.WriteStartObject();
                Number(writer, "parameter", point.Parameter);
                Number(writer, "kl", point.Kl);
                Number(writer, "winRate", point.WinRate);
                Number(writer, "expectedReward", point.ExpectedReward);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>Writes a frontier as CSV with the header family,parameter,kl,winRate,expectedReward.</summary>
    public static string WriteFrontierCsv(string family, IReadOnlyList<FrontierPoint> points)
    {
        var csv = new StringBuilder("family,parameter,kl,winRate,expectedReward\n");
        foreach (var p in points)
            csv.Append(CultureInfo.InvariantCulture, $"{family},{p.Parameter:R},{p.Kl:R},{p.WinRate:R},{p.ExpectedReward:R}\n");
        return csv.ToString();
    }

    /// <summary>Writes the continuous case: {"n", "kl", "winRate", "optimalC", "optimalWinRate", "gap"}.</summary>
    public static string WriteContinuous(BonOptimalComparison row)
    {
        return Write(writer =>
        {
            writer.WriteStartObject();
            Number(writer, "n", row.N);
            Number(writer, "kl", row.Kl);
            Number(writer, "winRate", row.BonWinRate);
            Number(writer, "optimalC", row.OptimalTilt);
            Number(writer, "optimalWinRate", row.OptimalWinRate);
            Number(writer, "gap", row.Gap);
            writer.WriteEndObject();
        });
    }

    private static TheoryPolicySpec Policy(JsonElement item, string path, string source)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw new TheoryInputException($"{source}: {path} must be an object such as {{\"kind\":\"bon\",\"n\":4}}, got {Describe(item)}.");
        CheckKeys(item, null, source, $"{path}: ", "");
        if (!item.TryGetProperty("kind", out var kindElement) || kindElement.ValueKind != JsonValueKind.String)
            throw new TheoryInputException($"{source}: {path} needs a string \"kind\" (one of {KindList()}).");
        string kind = kindElement.GetString()!;
        if (!ParameterOfKind.TryGetValue(kind, out var parameterName))
            throw new TheoryInputException($"{source}: {path}: unknown kind \"{kind}\"; expected one of {KindList()}.");
        CheckKeys(item, parameterName is null ? ["kind"] : ["kind", parameterName], source, $"{path} (kind \"{kind}\"): ",
            parameterName is null ? $"kind \"{kind}\" takes no parameter" : $"kind \"{kind}\" takes \"{parameterName}\"");
        if (parameterName is null) return new TheoryPolicySpec(kind, null, null);
        if (!item.TryGetProperty(parameterName, out var value))
            throw new TheoryInputException($"{source}: {path} (kind \"{kind}\") needs a number \"{parameterName}\".");
        return new TheoryPolicySpec(kind, parameterName, ReadNumber(value, $"{path}.{parameterName}", source));
    }

    private static double[] NumberArray(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out var array))
            throw new TheoryInputException($"{source}: missing \"{name}\" (an array of numbers).");
        if (array.ValueKind != JsonValueKind.Array)
            throw new TheoryInputException($"{source}: \"{name}\" must be an array of numbers, got {Describe(array)}.");
        var values = new double[array.GetArrayLength()];
        int i = 0;
        foreach (var element in array.EnumerateArray())
        {
            values[i] = ReadNumber(element, $"{name}[{i}]", source);
            i++;
        }
        return values;
    }

    /// <summary>
    /// Rejects a key given twice (JSON allows it and the parser would keep one silently) and, unless
    /// <paramref name="allowed"/> is null, a key not in it; <paramref name="expected"/> says what the object takes.
    /// </summary>
    private static void CheckKeys(JsonElement item, IReadOnlyCollection<string>? allowed, string source, string where, string expected)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw new TheoryInputException($"{source}: {where}duplicate key \"{property.Name}\".");
            if (allowed is not null && !allowed.Contains(property.Name))
                throw new TheoryInputException($"{source}: {where}unknown key \"{property.Name}\"; {expected}.");
        }
    }

    private static double ReadNumber(JsonElement element, string path, string source)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            // A number literal beyond ±1.8e308 (1e400) parses as ±Infinity: name the literal, not the infinity it became.
            return element.TryGetDouble(out double value) && double.IsFinite(value)
                ? value
                : throw new TheoryInputException($"{source}: {path} = {element.GetRawText()} is outside the range of a double (±1.8e308).");
        }
        if (element.ValueKind == JsonValueKind.String)
        {
            switch (element.GetString())
            {
                case "NaN": return double.NaN;
                case "Infinity": return double.PositiveInfinity;
                case "-Infinity": return double.NegativeInfinity;
            }
        }
        throw new TheoryInputException($"{source}: {path} must be a number, got {Describe(element)}.");
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{element.GetString()}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => element.GetRawText(),
    };

    private static string KindList() => string.Join(", ", ParameterOfKind.Keys.Select(k => $"\"{k}\""));

    private static void Number(Utf8JsonWriter writer, string? name, double value)
    {
        if (name is not null) writer.WritePropertyName(name);
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Indented)) body(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
