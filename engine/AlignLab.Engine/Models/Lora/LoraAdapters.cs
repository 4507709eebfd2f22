using BindingFlags = System.Reflection.BindingFlags;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Models.Lora;

/// <summary>
/// Adds LoRA adapters to a model's linear layers and freezes everything else. Works on any module whose linear layers
/// are held in fields typed <c>Module&lt;Tensor, Tensor&gt;</c> (as in <see cref="TinyGpt"/> and
/// <see cref="RewardModel"/>): TorchSharp names a submodule after its field, so the field can be swapped and re-registered.
/// </summary>
public static class LoraAdapters
{
    /// <summary>Name fragment shared by every adapter parameter ("lora_a", "lora_b").</summary>
    public const string AdapterParameterTag = "lora_";

    /// <summary>
    /// Wraps every <see cref="TorchSharp.Modules.Linear"/> under <paramref name="model"/> whose dotted name satisfies
    /// <paramref name="target"/> in a <see cref="LoraLinear"/>, then freezes every non-adapter parameter. Without a
    /// target, every adaptable linear layer is wrapped and layers held in plainly typed fields (such as
    /// <see cref="RewardModel.Head"/>) are left as they are; a targeted layer that cannot be wrapped throws
    /// <see cref="NotSupportedException"/>. Returns the number of layers wrapped.
    /// </summary>
    public static int Apply(Module model, LoraConfig config, Func<string, bool>? target = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        config.Validate();
        int wrapped = Wrap(model, "", config, target ?? (_ => true), strict: target is not null);
        FreezeAllButAdapters(model);
        return wrapped;
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
