using BindingFlags = System.Reflection.BindingFlags;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using AlignLab.Models;

namespace AlignLab.Models.Lora;

/// <summary>
/// Adds LoRA adapters to a model's linear layers and freezes everything else. Works on any module whose linear layers
/// are held in fields typed <c>Module&lt;Tensor, Tensor&gt;</c> (every <see cref="CausalLm"/> architecture and
/// the engine's <c>RewardModel</c>): TorchSharp names a submodule after its field, so the field can be swapped and re-registered.
/// The adapted model is also its own reference model: <see cref="Disable"/> switches every adapter off (the base
/// weights, no second copy), and <see cref="MergedState"/> gives the state with W + s·B A folded into each layer.
/// </summary>
public static class LoraAdapters
{
    /// <summary>Name fragment shared by every adapter parameter ("lora_a", "lora_b").</summary>
    public const string AdapterParameterTag = "lora_";

    /// <summary>
    /// Wraps every <see cref="TorchSharp.Modules.Linear"/> under <paramref name="model"/> whose dotted name satisfies
    /// <paramref name="target"/> (default: <see cref="LoraConfig.Targets"/>, PEFT's <c>target_modules</c> rule) in a
    /// <see cref="LoraLinear"/>, then freezes every non-adapter parameter. With neither a target nor
    /// <see cref="LoraConfig.TargetModules"/>, every adaptable linear layer is wrapped and layers held in plainly typed
    /// fields (such as the engine's <c>RewardModel.Head</c>) are left as they are; a targeted layer that cannot be wrapped throws
    /// <see cref="NotSupportedException"/>, and target modules that match no linear layer throw
    /// <see cref="ArgumentException"/> naming them. Returns the number of layers wrapped.
    /// </summary>
    public static int Apply(Module model, LoraConfig config, Func<string, bool>? target = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        config.Validate();
        bool strict = target is not null || config.TargetModules is not null;
        int wrapped = Wrap(model, "", config, target ?? config.Targets, strict);
        if (wrapped == 0 && config.TargetModules is not null)
            throw new ArgumentException($"LoRA target modules [{string.Join(", ", config.TargetModules)}] match no linear layer of the {model.GetType().Name} (linear layers: {string.Join(", ", LinearNames(model).Take(8))}).", nameof(config));
        FreezeAllButAdapters(model);
        return wrapped;
    }

    /// <summary>Every LoRA layer under <paramref name="model"/> with its dotted module path (e.g. <c>transformer.h.0.attn.c_attn</c>).</summary>
    public static IReadOnlyList<(string Path, LoraLinear Layer)> Layers(Module model) =>
        model.named_modules().Where(m => m.module is LoraLinear).Select(m => (m.name, (LoraLinear)m.module)).ToArray();

    /// <summary>
    /// Switches every adapter of <paramref name="model"/> off until the returned scope is disposed, so the model computes
    /// its base (reference) log-probs from the same weights: <c>using (LoraAdapters.Disable(model)) { … }</c>. Scopes
    /// nest: each restores the states it found.
    /// </summary>
    public static IDisposable Disable(Module model)
    {
        var layers = Layers(model).Select(l => l.Layer).ToArray();
        var states = layers.Select(l => l.Enabled).ToArray();
        foreach (var l in layers) l.Enabled = false;
        return new Restore(() =>
        {
            for (int i = 0; i < layers.Length; i++) layers[i].Enabled = states[i];
        });
    }

    /// <summary>
    /// The state of <paramref name="model"/> with every adapter merged into its layer: entry <c>X.base.weight</c> of an
    /// adapted layer X becomes <c>X.weight</c> = W + s·B A, <c>X.base.bias</c> becomes <c>X.bias</c>, the adapter matrices
    /// are left out; other entries are the model's own tensors. For a model without adapters this is its state_dict.
    /// Merged weights are new tensors (in the caller's dispose scope).
    /// </summary>
    public static Dictionary<string, Tensor> MergedState(Module model)
    {
        var adapted = Layers(model).ToDictionary(l => l.Path, l => l.Layer);
        var merged = new Dictionary<string, Tensor>();
        foreach (var (name, value) in model.state_dict())
        {
            int cut = name.LastIndexOf(".base.", StringComparison.Ordinal);
            var owner = cut < 0 ? null : name[..cut];
            if (owner is not null && adapted.TryGetValue(owner, out var layer))
            {
                var leaf = name[(cut + ".base.".Length)..];
                merged[$"{owner}.{leaf}"] = leaf == "weight" ? layer.MergedWeight() : value;
            }
            else if (!IsAdapterEntry(name, adapted)) merged[name] = value;
        }
        return merged;
    }

    private static bool IsAdapterEntry(string name, Dictionary<string, LoraLinear> adapted)
    {
        int dot = name.LastIndexOf('.');
        return dot > 0 && name[(dot + 1)..].StartsWith(AdapterParameterTag, StringComparison.Ordinal) && adapted.ContainsKey(name[..dot]);
    }

    private static IEnumerable<string> LinearNames(Module model) =>
        model.named_modules().Where(m => m.module is Linear).Select(m => m.name);

    private sealed class Restore(Action restore) : IDisposable
    {
        private Action? _restore = restore;

        public void Dispose()
        {
            _restore?.Invoke();
            _restore = null;
        }
    }

    /// <summary>Sets requires_grad = false on every parameter of <paramref name="model"/> except LoRA adapters.</summary>
    public static void FreezeAllButAdapters(Module model)
    {
        foreach (var (name, p) in model.named_parameters())
            p.requires_grad = name.Contains(AdapterParameterTag);
    }

    /// <summary>The trainable LoRA parameters of <paramref name="model"/> (for the optimiser).</summary>
    public static IReadOnlyList<Parameter> AdapterParameters(Module model) =>
        model.named_parameters().Where(np => np.name.Contains(AdapterParameterTag)).Select(np => np.parameter).ToArray();

    private static int Wrap(Module parent, string prefix, LoraConfig config, Func<string, bool> target, bool strict)
    {
        int count = 0;
        foreach (var (name, child) in parent.named_children().ToArray())
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (child is Linear linear && target(path))
            {
                var field = parent.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
                if (field is null || !field.FieldType.IsAssignableFrom(typeof(LoraLinear)))
                {
                    if (!strict) continue;
                    throw new NotSupportedException($"Cannot add a LoRA adapter to '{path}': its field in {parent.GetType().Name} must be typed Module<Tensor, Tensor>.");
                }
                var adapted = new LoraLinear(linear, config);
                adapted.train(parent.training); // a new module starts in training mode; keep the model's mode (dropout)
                field.SetValue(parent, adapted);
                parent.register_module(name, null!); // unregisters the plain layer
                parent.register_module(name, adapted);
                count++;
            }
            else if (child is not LoraLinear)
                count += Wrap(child, path, config, target, strict);
        }
        return count;
    }
}
