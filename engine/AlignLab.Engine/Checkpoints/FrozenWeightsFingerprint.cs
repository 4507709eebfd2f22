using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Checkpoints;

/// <summary>
/// A cheap fingerprint of the frozen weights a training checkpoint leaves out (a LoRA row's whole base model), so a resume
/// can tell that it would continue on other weights than the run was trained on. Per tensor it keeps the dtype, the
/// shape and a digest of <see cref="SamplesPerTensor"/> values taken at evenly strided flat positions (first and last
/// included; every value of a smaller tensor); overall the tensor count and total elements.
/// <para>It catches another model or another revision of it (names, shapes, dtypes, or values that differ almost
/// everywhere, as any re-training or re-quantisation does), a cast to another dtype, and a tensor added or missing. It
/// cannot catch a change confined to positions it does not sample (editing a few rows of one matrix): a change to a
/// random fraction f of a tensor's values escapes with probability about (1 − f)^<see cref="SamplesPerTensor"/>.
/// The cost is one small gather per tensor and one device-to-host copy in all, whatever the model's size.</para>
/// </summary>
/// <param name="Elements">Total number of elements of the frozen tensors.</param>
/// <param name="Tensors">Per frozen tensor (state_dict name): <c>dtype [shape] digest</c>, in state_dict order.</param>
public sealed record FrozenWeightsFingerprint(long Elements, IReadOnlyDictionary<string, string> Tensors)
{
    /// <summary>Values sampled from each tensor.</summary>
    public const int SamplesPerTensor = 64;

    /// <summary>Field prefix of the <see cref="ConfigDifference"/>s this fingerprint reports (<c>frozen.NAME</c>).</summary>
    public const string FieldPrefix = "frozen.";

    /// <summary>The fingerprint of <paramref name="tensors"/> (names as in the module's state_dict).</summary>
    public static FrozenWeightsFingerprint Of(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        if (list.Count == 0) return new FrozenWeightsFingerprint(0, new Dictionary<string, string>());
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var samples = new List<Tensor>();
        foreach (var (_, value) in list)
        {
            var n = value.numel();
            var k = Math.Min(n, SamplesPerTensor);
            if (k == 0) continue;
            // take() reads the flat positions of a strided tensor without copying it whole.
            var positions = k == 1 ? zeros(1, ScalarType.Int64, value.device) : linspace(0, n - 1, k, ScalarType.Float64, value.device).round().to(ScalarType.Int64);
            // Float64 holds every float16/bfloat16/float32 value exactly, so the digest sees the stored bits.
            samples.Add(value.detach().take(positions).to(ScalarType.Float64));
        }
        // One transfer for every tensor's sample.
        var host = samples.Count == 0 ? [] : cat(samples, 0).cpu().data<double>().ToArray();
        var each = new Dictionary<string, string>(StringComparer.Ordinal);
        var offset = 0;
        long elements = 0;
        foreach (var (name, value) in list)
        {
            var n = value.numel();
            var k = (int)Math.Min(n, SamplesPerTensor);
            var bytes = new byte[k * sizeof(double)];
            Buffer.BlockCopy(host, offset * sizeof(double), bytes, 0, bytes.Length);
            offset += k;
            elements += n;
            var digest = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
            each[name] = $"{value.dtype.ToString().ToLowerInvariant()} [{string.Join(", ", value.shape)}] {digest}";
        }
        return new FrozenWeightsFingerprint(elements, each);
    }

    /// <summary>The fingerprint as the JSON a checkpoint stores in its metadata.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored(Tensors.Count, Elements, Tensors));

    /// <summary>Reads a fingerprint written by <see cref="ToJson"/>; <paramref name="source"/> names the file in an error.</summary>
    public static FrozenWeightsFingerprint Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(json) ?? throw new JsonException("null");
            if (stored.Tensors is null || stored.Tensors.Count != stored.Count)
                throw new JsonException($"{stored.Count} tensors counted but {stored.Tensors?.Count ?? 0} listed");
            return new FrozenWeightsFingerprint(stored.Elements, stored.Tensors);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Checkpoint '{source}' has a malformed frozen-weights fingerprint: {e.Message}", e);
        }
    }

    /// <summary>
    /// The frozen tensors whose fingerprint differs between <paramref name="stored"/> (the checkpoint's) and this one (now),
    /// as <c>frozen.NAME</c> fields in this fingerprint's order, then those only the checkpoint has; empty when they agree.
    /// </summary>
    public IReadOnlyList<ConfigDifference> DifferencesFrom(FrozenWeightsFingerprint stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var differences = new List<ConfigDifference>();
        foreach (var (name, current) in Tensors)
        {
            var before = stored.Tensors.GetValueOrDefault(name);
            if (before != current) differences.Add(new ConfigDifference(FieldPrefix + name, Quote(before), Quote(current)));
        }
        foreach (var (name, before) in stored.Tensors)
            if (!Tensors.ContainsKey(name)) differences.Add(new ConfigDifference(FieldPrefix + name, Quote(before), null));
        return differences;
    }

    /// <summary>One line: the tensor count and total elements.</summary>
    public override string ToString() =>
        $"{Tensors.Count} frozen tensors, {Elements.ToString("N0", CultureInfo.InvariantCulture)} elements";

    private static string? Quote(string? value) => value is null ? null : JsonSerializer.Serialize(value);

    private sealed record Stored(int Count, long Elements, IReadOnlyDictionary<string, string> Tensors);
}
