using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Layers;

/// <summary>
/// Keys and values of every attention layer for the tokens seen so far, so that generation feeds one new token per step
/// instead of the whole sequence. Buffers are preallocated at [B, key/value heads, capacity, head size] per layer (with
/// grouped-query attention only the shared key/value heads are stored) and filled in
/// place; <see cref="Length"/> is the number of positions filled. Owns its tensors: dispose it.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    /// <summary>An empty cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> positions.</summary>
    public KvCache(int layers, long batch, int heads, int capacity, int headSize, ScalarType dtype, Device device)
    {
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (int l = 0; l < layers; l++)
        {
            _keys[l] = zeros([batch, heads, capacity, headSize], dtype, device);
            _values[l] = zeros([batch, heads, capacity, headSize], dtype, device);
        }
        Capacity = capacity;
    }

    private KvCache(Tensor[] keys, Tensor[] values, int capacity, int length)
    {
        _keys = keys;
        _values = values;
        Capacity = capacity;
        Length = length;
    }

    /// <summary>Number of positions already cached.</summary>
    public int Length { get; private set; }

    /// <summary>Most positions the cache can hold.</summary>
    public int Capacity { get; }

    /// <summary>Number of rows.</summary>
    public long BatchSize => _keys[0].shape[0];

    /// <summary>
    /// Writes the keys and values [B, heads, T, head size] of layer <paramref name="layer"/> at positions
    /// [Length, Length + T) and returns views of all cached keys and values so far, [B, heads, Length + T, head size].
    /// Call <see cref="Advance"/> once every layer has appended.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        long t = keys.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache overflow: {Length} + {t} positions exceed its capacity {Capacity}.");
        var range = TensorIndex.Slice(Length, Length + t);
        _keys[layer][TensorIndex.Colon, TensorIndex.Colon, range] = keys;
        _values[layer][TensorIndex.Colon, TensorIndex.Colon, range] = values;
        var upTo = TensorIndex.Slice(0, Length + t);
        return (_keys[layer][TensorIndex.Colon, TensorIndex.Colon, upTo], _values[layer][TensorIndex.Colon, TensorIndex.Colon, upTo]);
    }

    /// <summary>Marks <paramref name="positions"/> more positions as filled (after every layer has appended them).</summary>
    public void Advance(int positions) => Length += positions;

    /// <summary>
    /// A new cache whose row i·n + j is a copy of this cache's row i (j &lt; n): the prompt is encoded once and its
    /// keys/values shared by n continuations (best-of-n). This cache is left unchanged.
    /// </summary>
    public KvCache RepeatRows(int n)
    {
        if (n < 1) throw new ArgumentException($"n must be >= 1 (got {n}).", nameof(n));
        return new KvCache(
            _keys.Select(k => k.repeat_interleave(n, dim: 0)).ToArray(),
            _values.Select(v => v.repeat_interleave(n, dim: 0)).ToArray(),
            Capacity, Length);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _keys.Concat(_values)) t.Dispose();
    }
}
