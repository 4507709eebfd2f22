using AlignLab.Engine.Rewards;
using AlignLab.Engine.Runtime;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// A programmatic reward for a <see cref="AlignLab.Engine.Policies.TabularPolicy"/>: r(x, y) looked up in a table [P][K] by prompt id x
/// (prompts [B, 1]) and outcome id y (responses [B, 1]). The gold reward of the tabular verification tests. The table is
/// held once, as float64 on the device given at construction, and scored there.
/// </summary>
public sealed class TabularReward : IRewardFunction, IDisposable
{
    private readonly Tensor table;

    /// <summary>
    /// Creates the reward from a table of finite rewards, one row per prompt, held on <paramref name="device"/>
    /// (default: the CPU), where the prompts and responses it scores must be.
    /// </summary>
    public TabularReward(IReadOnlyList<IReadOnlyList<double>> rewards, string name = "tabular", Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        if (rewards.Count == 0) throw new ArgumentException("rewards must have at least one row.", nameof(rewards));
        var k = rewards[0].Count;
        var flat = new double[rewards.Count * k];
        for (var x = 0; x < rewards.Count; x++)
        {
            if (rewards[x].Count != k) throw new ArgumentException($"rewards row {x} has {rewards[x].Count} entries but row 0 has {k}.", nameof(rewards));
            for (var y = 0; y < k; y++)
            {
                if (!double.IsFinite(rewards[x][y])) throw new ArgumentException($"rewards[{x}][{y}] must be finite (got {rewards[x][y]}).", nameof(rewards));
                flat[x * k + y] = rewards[x][y];
            }
        }
        table = tensor(flat, [rewards.Count, k], device: device ?? CPU);
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Tensor Score(Tensor prompts, Tensor responses)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(responses);
        if (!ComputeContext.SameDevice(prompts.device, table.device))
            throw new ArgumentException($"The reward table is on {table.device} but the prompts are on {prompts.device}; create the TabularReward with device: {prompts.device}.", nameof(prompts));
        using var scope = NewDisposeScope();
        var rows = table.index_select(0, prompts.reshape(-1));
        return rows.gather(1, responses.reshape(-1, 1)).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => table.Dispose();
}
