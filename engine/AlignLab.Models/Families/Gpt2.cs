using AlignLab.Models;
using AlignLab.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Families;

/// <summary>
/// GPT-2 (<c>model_type: gpt2</c>), mirroring transformers' <c>modeling_gpt2</c>: token + learned position embeddings,
/// pre-LayerNorm blocks x + Attn(LN(x)), then + MLP(LN(·)), a final LayerNorm, and the head tied to the token
/// embedding (logits = h·Eᵀ). Fields are named like the checkpoint (<c>transformer.h.0.attn.c_attn.weight</c>, …),
/// so loading is a name match. The toy task's <c>TinyGpt</c> (AlignLab.Engine) is a small configuration of it.
/// <para>The checkpoint's Conv1D layers store their weight as [in, out]; here they are ordinary Linear layers
/// [out, in], and the loader transposes them (<see cref="StoredTransposed"/>), which keeps one layer type for LoRA.</para>
/// </summary>
public class Gpt2LmHeadModel : CausalLm
{
    private static readonly string[] Conv1DLayers = [".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"];

    // Not private: TorchSharp registers only fields it can see from the runtime type, and TinyGpt derives from this class.
    private protected Gpt2Model transformer;

    /// <summary>Creates a freshly initialised GPT-2 (initialisation draws from torch's global generator).</summary>
    public Gpt2LmHeadModel(TransformerConfig config) : base(nameof(Gpt2LmHeadModel), config)
    {
        if (config.ModelType != "gpt2") throw new ArgumentException($"Gpt2LmHeadModel needs model_type gpt2 (got {config.ModelType}).", nameof(config));
        transformer = new Gpt2Model(config);
        RegisterComponents();
    }

    /// <summary>The transformer body (embeddings, blocks, final norm).</summary>
    public Gpt2Model Trunk => transformer;

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens, KvCache? cache = null, Tensor? keyMask = null, Tensor? positionIds = null)
    {
        using var hidden = transformer.forward(tokens, cache, keyMask, positionIds);
        return functional.linear(hidden, transformer.TokenEmbedding);
    }

    /// <inheritdoc />
    /// <remarks>Accepts keys with and without the <c>transformer.</c> prefix (the original checkpoints have none).</remarks>
    public override string? StateNameOf(string key) => StateName(key);

    /// <summary><see cref="StateNameOf"/> without a model: it depends on the key alone.</summary>
    internal static string? StateName(string key)
    {
        if (key == "lm_head.weight") return null; // tied to wte
        if (IsBuffer(key)) return null;
        return key.StartsWith("transformer.") ? key : "transformer." + key;
    }

    /// <inheritdoc />
    public override bool StoredTransposed(string stateName) => IsConv1D(stateName);

    /// <summary>Whether checkpoint tensor <paramref name="key"/> is a causal-mask buffer old checkpoints carry (not a weight).</summary>
    internal static bool IsBuffer(string key) => key.EndsWith(".attn.bias") || key.EndsWith(".attn.masked_bias");

    /// <summary>Whether <paramref name="stateName"/> is a Conv1D weight, stored [in, out] in the checkpoint.</summary>
    internal static bool IsConv1D(string stateName) => Conv1DLayers.Any(stateName.EndsWith);
}

/// <summary>GPT-2's body (<c>GPT2Model</c>): tokens [B, T] → final hidden states [B, T, D].</summary>
public sealed class Gpt2Model : Module, ITransformerBody
{
    private Embedding wte;
    private Embedding wpe;
    private ModuleList<Gpt2Block> h;
    private LayerNorm ln_f;

    /// <summary>Creates and initialises the body: N(0, 0.02) weights, residual-writing projections N(0, 0.02/√(2·layers)) so the residual stream's variance does not grow with depth.</summary>
    public Gpt2Model(TransformerConfig config) : base(nameof(Gpt2Model))
    {
        Config = config;
        wte = Embedding(config.VocabSize, config.HiddenSize);
        wpe = Embedding(config.MaxPositions, config.HiddenSize);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.Layers).Select(_ => new Gpt2Block(config)).ToArray());
        ln_f = LayerNorm(config.HiddenSize, config.NormEpsilon);
        RegisterComponents();
        Initialise();
    }

    /// <summary>The configuration.</summary>
    public TransformerConfig Config { get; }

    /// <summary>The token embedding matrix [V, D] (tied to the output layer).</summary>
    public Tensor TokenEmbedding => wte.weight!;

    /// <summary>Hidden states [B, T, D]; see <see cref="CausalLm.forward"/> for the cache, mask and positions.</summary>
    public Tensor forward(Tensor tokens, KvCache? cache, Tensor? keyMask = null, Tensor? positionIds = null)
    {
        using var scope = NewDisposeScope();
        long t = tokens.shape[1];
        int start = cache?.Length ?? 0;
        if (start + t > Config.MaxPositions)
            throw new ArgumentException($"Sequence of {start + t} positions exceeds the model's MaxLength {Config.MaxPositions}.", nameof(tokens));
        var x = wte.forward(tokens) + wpe.forward(CausalLm.PositionIds(keyMask, positionIds, start, t, tokens.device));
        for (int l = 0; l < h.Count; l++) x = h[l].forward(x, cache, l, keyMask);
        cache?.Advance((int)t);
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }

    private void Initialise()
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("bias")) init.zeros_(p);
            else if (p.dim() >= 2 || name.StartsWith("wte") || name.StartsWith("wpe")) init.normal_(p, 0, 0.02);
        }
        foreach (var block in h)
            foreach (var projection in block.OutputProjections)
                if (projection is Linear linear) init.normal_(linear.weight!, 0, 0.02 / Math.Sqrt(2 * Config.Layers));
    }
}

/// <summary>A GPT-2 block (<c>GPT2Block</c>): x + Attn(ln_1(x)), then + MLP(ln_2(·)), with residual dropout.</summary>
public sealed class Gpt2Block : Module
{
    private LayerNorm ln_1;
    private Gpt2Attention attn;
    private LayerNorm ln_2;
    private Gpt2Mlp mlp;
    private readonly double _dropout;

    /// <summary>Creates the block's layers.</summary>
    public Gpt2Block(TransformerConfig config) : base(nameof(Gpt2Block))
    {
        ln_1 = LayerNorm(config.HiddenSize, config.NormEpsilon);
        attn = new Gpt2Attention(config);
        ln_2 = LayerNorm(config.HiddenSize, config.NormEpsilon);
        mlp = new Gpt2Mlp(config);
        _dropout = config.Dropout;
        RegisterComponents();
    }

    /// <summary>The output projections of attention and MLP (the residual-stream writers).</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> OutputProjections => [attn.OutputProjection, mlp.OutputProjection];

    /// <summary>The block's output [B, T, D]; appends to layer <paramref name="layer"/> of <paramref name="cache"/> when given.</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask)
    {
        using var scope = NewDisposeScope();
        var y = x + Dropout(attn.forward(ln_1.forward(x), cache, layer, keyMask));
        return (y + Dropout(mlp.forward(ln_2.forward(y)))).MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x) => _dropout > 0 ? functional.dropout(x, _dropout, training) : x;
}

/// <summary>GPT-2 attention (<c>GPT2Attention</c>): one fused q/k/v projection <c>c_attn</c>, output projection <c>c_proj</c>.</summary>
public sealed class Gpt2Attention : Module
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (LoraAdapters.Apply).
    private Module<Tensor, Tensor> c_attn;
    private Module<Tensor, Tensor> c_proj;
    private readonly int _heads;
    private readonly double _dropout;

    /// <summary>Creates the projections.</summary>
    public Gpt2Attention(TransformerConfig config) : base(nameof(Gpt2Attention))
    {
        c_attn = Linear(config.HiddenSize, 3 * config.HiddenSize);
        c_proj = Linear(config.HiddenSize, config.HiddenSize);
        _heads = config.Heads;
        _dropout = config.Dropout;
        RegisterComponents();
    }

    /// <summary>The output projection (its initialisation is scaled by depth).</summary>
    public Module<Tensor, Tensor> OutputProjection => c_proj;

    /// <summary>Attention output [B, T, D] for inputs [B, T, D].</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], d = x.shape[2];
        // c_attn's output is [q | k | v], each split into heads.
        var parts = c_attn.forward(x).view(b, t, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4); // [3, B, H, T, Dh]
        var y = CausalAttention.Attend(parts[0], parts[1], parts[2], cache, layer, keyMask, training ? _dropout : 0);
        return c_proj.forward(y.transpose(1, 2).reshape(b, t, d)).MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-2's MLP (<c>GPT2MLP</c>): c_proj(act(c_fc(x))).</summary>
public sealed class Gpt2Mlp : Module<Tensor, Tensor>
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (LoraAdapters.Apply).
    private Module<Tensor, Tensor> c_fc;
    private Module<Tensor, Tensor> c_proj;
    private readonly string _activation;

    /// <summary>Creates the two projections D → intermediate → D.</summary>
    public Gpt2Mlp(TransformerConfig config) : base(nameof(Gpt2Mlp))
    {
        c_fc = Linear(config.HiddenSize, config.IntermediateSize);
        c_proj = Linear(config.IntermediateSize, config.HiddenSize);
        _activation = config.Activation;
        RegisterComponents();
    }

    /// <summary>The output projection (its initialisation is scaled by depth).</summary>
    public Module<Tensor, Tensor> OutputProjection => c_proj;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return c_proj.forward(ActivationFunctions.Apply(_activation, c_fc.forward(x))).MoveToOuterDisposeScope();
    }
}
