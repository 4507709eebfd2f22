using BindingFlags = System.Reflection.BindingFlags;
using FieldInfo = System.Reflection.FieldInfo;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using AlignLab.Models.Lora;

namespace AlignLab.Engine.Bayesian;

/// <summary>
/// Records the input and output of every <see cref="LoraLinear"/> of a model during one forward pass, by swapping the
/// parent's field for a recording wrapper (TorchSharp modules call <c>forward</c> directly, which skips hooks) and
/// restoring it on dispose. The recorded tensors are owned by the capture.
/// </summary>
internal sealed class LoraCapture : IDisposable
{
    private readonly List<(Module Parent, FieldInfo Field, LoraLinear Layer)> _sites = [];
    private readonly List<Tensor> _owned = [];

    public LoraCapture(Module model)
    {
        Find(model, _sites);
        if (_sites.Count == 0) throw new ArgumentException("The model has no LoRA adapters (apply LoraAdapters.Apply first, or use LaplaceSubset.LastLayer).", nameof(model));
        Inputs = new Tensor?[_sites.Count];
        Outputs = new Tensor?[_sites.Count];
        for (int i = 0; i < _sites.Count; i++)
            _sites[i].Field.SetValue(_sites[i].Parent, new Recorder(this, i, _sites[i].Layer));
    }

    /// <summary>Each layer's last input x (detached).</summary>
    public Tensor?[] Inputs { get; }

    /// <summary>Each layer's last output (in the autograd graph).</summary>
    public Tensor?[] Outputs { get; }

    /// <summary>The adapted layers of <paramref name="model"/>, in model order, without capturing.</summary>
    public static IReadOnlyList<LoraLinear> LayersOf(Module model)
    {
        var sites = new List<(Module, FieldInfo, LoraLinear Layer)>();
        Find(model, sites);
        return sites.Select(s => s.Layer).ToArray();
    }

    public void Dispose()
    {
        foreach (var (parent, field, layer) in _sites) field.SetValue(parent, layer);
        foreach (var t in _owned) t.Dispose();
    }

    private void Record(int site, Tensor input, Tensor output)
    {
        var x = input.detach().DetachFromDisposeScope();
        output.DetachFromDisposeScope();
        _owned.Add(x);
        _owned.Add(output);
        Inputs[site] = x;
        Outputs[site] = output;
    }

    private static void Find(Module parent, List<(Module, FieldInfo, LoraLinear)> sites)
    {
        foreach (var (name, child) in parent.named_children())
        {
            if (child is LoraLinear layer)
            {
                var field = parent.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
                    ?? throw new NotSupportedException($"Cannot find the field holding LoRA layer '{name}' in {parent.GetType().Name}.");
                sites.Add((parent, field, layer));
            }
            else Find(child, sites);
        }
    }

    private sealed class Recorder(LoraCapture capture, int site, LoraLinear layer) : Module<Tensor, Tensor>(nameof(Recorder))
    {
        public override Tensor forward(Tensor x)
        {
            var y = layer.forward(x);
            capture.Record(site, x, y);
            return y;
        }
    }
}
