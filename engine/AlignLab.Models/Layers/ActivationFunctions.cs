using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Layers;

/// <summary>
/// The MLP activations of the supported architectures, by their config.json names: <c>gelu</c> (exact, erf),
/// <c>gelu_new</c>/<c>gelu_pytorch_tanh</c> (GPT-2's tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))),
/// <c>silu</c>/<c>swish</c> (x·σ(x)), <c>relu</c>.
/// </summary>
public static class ActivationFunctions
{
    private static readonly string[] Names = ["gelu", "gelu_new", "gelu_pytorch_tanh", "silu", "swish", "relu"];

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> is not an activation listed above.</summary>
    public static void Check(string name)
    {
        if (!Names.Contains(name)) throw new ArgumentException($"activation '{name}' is not supported (supported: {string.Join(", ", Names)}).", nameof(name));
    }

    /// <summary>Applies activation <paramref name="name"/> to <paramref name="x"/>.</summary>
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "gelu" => functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" => 0.5 * x * (1.0 + tanh(Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * pow(x, 3.0)))),
        "silu" or "swish" => functional.silu(x),
        "relu" => functional.relu(x),
        _ => throw new ArgumentException($"activation '{name}' is not supported (supported: {string.Join(", ", Names)}).", nameof(name)),
    };
}
