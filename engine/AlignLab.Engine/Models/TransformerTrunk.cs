using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Models;

/// <summary>
/// The body shared by <see cref="TinyGpt"/> and <see cref="RewardModel"/>: token + learned position embeddings,
/// <see cref="TinyGptConfig.Layers"/> pre-LayerNorm <see cref="TransformerBlock"/>s and a final LayerNorm, mapping
/// tokens [B, T] to hidden states [B, T, D]. Initialised as GPT-2: N(0, 0.02) weights, residual-writing projections
/// scaled by 1/√(2·layers) so the residual stream's variance does not grow with depth.
/// </summary>
public sealed class TransformerTrunk : Module
{
    private Embedding wte;
    private Embedding wpe;
    private ModuleList<TransformerBlock> blocks;
    private LayerNorm ln_f;

    /// <summary>Creates and initialises the trunk for <paramref name="config"/>.</summary>
    public TransformerTrunk(TinyGptConfig config) : base(nameof(TransformerTrunk))
    {
        Config = config.Validate();
        wte = Embedding(config.VocabSize, config.DModel);
        wpe = Embedding(config.MaxLength, config.DModel);
        blocks = new ModuleList<TransformerBlock>(Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(config)).ToArray());
        ln_f = LayerNorm(config.DModel);
        RegisterComponents();
        Initialise();
    }

    /// <summary>The configuration.</summary>
    public TinyGptConfig Config { get; }

    /// <summary>The token embedding matrix [V, D] (tied to the output layer of <see cref="TinyGpt"/>).</summary>
    public Tensor TokenEmbedding => wte.weight!;

    /// <summary>
    /// Hidden states [B, T, D] of <paramref name="tokens"/> [B, T]. With a <paramref name="cache"/>, the tokens are
    /// positions cache.Length … cache.Length + T − 1 and their keys/values are appended to it.
    /// </summary>
    public Tensor forward(Tensor tokens, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        long t = tokens.shape[1];
        int start = cache?.Length ?? 0;
        if (start + t > Config.MaxLength)
            throw new ArgumentException($"Sequence of {start + t} positions exceeds the model's MaxLength {Config.MaxLength}.", nameof(tokens));
        var x = wte.forward(tokens) + wpe.forward(arange(start, start + t, ScalarType.Int64, tokens.device));
        for (int l = 0; l < blocks.Count; l++) x = blocks[l].forward(x, cache, l);
        cache?.Advance((int)t);
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>An empty KV cache sized for this trunk, <paramref name="batch"/> rows, on <paramref name="device"/>.</summary>
    public KvCache NewCache(long batch, Device device) =>
        new(Config.Layers, batch, Config.Heads, Config.MaxLength, Config.DModel / Config.Heads, wte.weight!.dtype, device);

    private void Initialise()
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("bias")) init.zeros_(p);
            else if (p.dim() >= 2 || name.StartsWith("wte") || name.StartsWith("wpe")) init.normal_(p, 0, 0.02);
        }
        foreach (var block in blocks)
            foreach (var projection in block.OutputProjections)
                if (projection is Linear linear) init.normal_(linear.weight!, 0, 0.02 / Math.Sqrt(2 * Config.Layers));
    }
}
