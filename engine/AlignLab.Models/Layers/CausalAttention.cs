using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Layers;

/// <summary>
/// The attention step shared by every architecture, after its own projections: softmax(s·q kᵀ + mask) v per head, with
/// s = d_head^−½ unless the architecture scales otherwise (Gemma2's query_pre_attn_scalar), through
/// <c>scaled_dot_product_attention</c>; with a soft cap c (Gemma2's attn_logit_softcapping) the scores are bounded to
/// c·tanh(s·q kᵀ / c) before the mask, computed by hand. It appends the new keys/values to a <see cref="KvCache"/> when
/// given, repeats each key/value head for its group of query heads (grouped-query attention), and masks future
/// positions and padding: a query at position i may see key s when s ≤ i, <c>keyMask[b, s]</c> is 1 and, with a
/// sliding window w (Mistral, and each sliding layer of Qwen2/Qwen3/Gemma2), i − s &lt; w. A padding query (which no
/// real token reads) also sees itself, so no softmax row is empty.
/// </summary>
public static class CausalAttention
{
    /// <summary>
    /// Attention output [B, H, T, d] for queries <paramref name="q"/> [B, H, T, d] and new keys/values
    /// <paramref name="k"/>, <paramref name="v"/> [B, H_kv, T, d] at positions cache.Length … cache.Length + T − 1.
    /// <paramref name="keyMask"/> [B, cache.Length + T] (1 = real token, 0 = padding) or null when nothing is padded;
    /// <paramref name="slidingWindow"/> the number of most recent positions a query sees (null: all);
    /// <paramref name="scale"/> s (null: d^−½); <paramref name="softcap"/> c (null: no cap).
    /// </summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, KvCache? cache, int layer, Tensor? keyMask, double dropout,
        int? slidingWindow = null, double? scale = null, double? softcap = null)
    {
        using var scope = NewDisposeScope();
        long t = q.shape[2];
        int past = cache?.Length ?? 0;
        if (cache is not null) (k, v) = cache.Append(layer, k, v);
        long groups = q.shape[1] / k.shape[1];
        if (groups > 1)
        {
            k = k.repeat_interleave(groups, dim: 1);
            v = v.repeat_interleave(groups, dim: 1);
        }
        // The window only matters once the sequence is longer than it.
        int? window = slidingWindow is { } w && past + t > w ? w : null;
        if (softcap is { } cap)
            return Capped(q, k, v, Mask(past, t, keyMask, window, q.device), dropout, scale ?? 1 / Math.Sqrt(q.shape[^1]), cap).MoveToOuterDisposeScope();
        // scaled_dot_product_attention scales by d^−½: another scale is folded into the queries.
        if (scale is { } s) q = q * (s * Math.Sqrt(q.shape[^1]));
        Tensor y;
        if (window is not null)
            y = functional.scaled_dot_product_attention(q, k, v, attn_mask: Mask(past, t, keyMask, window, q.device), p: dropout);
        else if (keyMask is null && past == 0)
            y = functional.scaled_dot_product_attention(q, k, v, p: dropout, is_casual: t > 1);
        else if (keyMask is null && t == 1)
            y = functional.scaled_dot_product_attention(q, k, v, p: dropout);
        else
            y = functional.scaled_dot_product_attention(q, k, v, attn_mask: Mask(past, t, keyMask, null, q.device), p: dropout);
        return y.MoveToOuterDisposeScope();
    }

    // Gemma2's eager attention: scores s·q kᵀ, capped c·tanh(·/c), masked, softmax in float32, dropout, · v.
    private static Tensor Capped(Tensor q, Tensor k, Tensor v, Tensor mask, double dropout, double scale, double cap)
    {
        var scores = q.matmul(k.transpose(-2, -1)) * scale;
        scores = (scores / cap).tanh() * cap;
        scores = scores.masked_fill(mask.logical_not(), double.NegativeInfinity);
        var weights = functional.softmax(scores.to(ScalarType.Float32), -1).to(q.dtype);
        if (dropout > 0) weights = functional.dropout(weights, dropout);
        return weights.matmul(v);
    }

    // [B or 1, 1, T, past + T] boolean: new position i (absolute past + i) sees keys s ≤ past + i that are not padding
    // (and, with a window w, s > past + i − w; slot distances equal real-token distances within a left-padded row).
    private static Tensor Mask(int past, long t, Tensor? keyMask, int? window, Device device)
    {
        var keyPos = arange(past + t, device: device).unsqueeze(0);
        var queryPos = arange(past, past + t, device: device).unsqueeze(1);
        var causal = keyPos <= queryPos; // [T, S]
        if (window is { } w) causal = causal & (queryPos - keyPos < w);
        if (keyMask is null) return causal;
        var visible = causal.unsqueeze(0) & keyMask.to(ScalarType.Bool).unsqueeze(1); // [B, T, S]
        return (visible | keyPos.eq(queryPos).unsqueeze(0)).unsqueeze(1);
    }
}
