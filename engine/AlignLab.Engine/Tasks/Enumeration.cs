using AlignLab.Engine.Rewards;
using AlignLab.Engine.Runtime;
using AlignLab.Models;
using AlignLab.Models.Generation;
using AlignLab.Theory;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tasks;

/// <summary>
/// Exact distributions of an <see cref="IEnumerableTask"/>: a policy's probability of every response (by batched
/// scoring of all of them) and any attribute's value on every response, and their hand-over to the theory module.
/// </summary>
public static class Enumeration
{
    /// <summary>
    /// π(y | x_k) of every response (in <see cref="IEnumerableTask.AllResponses"/> order) under
    /// <paramref name="policy"/>, on the policy's device; exponentiated in float64 and renormalised (a softmax of the
    /// sequence log-probabilities) to remove float32 rounding (for a fixed-length policy the raw sum is 1 up to ~1e-5).
    /// </summary>
    public static double[] Probabilities(IEnumerableTask task, ISequencePolicy policy, int promptIndex)
    {
        ArgumentNullException.ThrowIfNull(policy);
        CheckPrompt(task, promptIndex);
        using var scope = NewDisposeScope();
        var device = policy.Module.parameters().First().device;
        if (!ComputeContext.SameDevice(device, task.AllResponses.device))
            throw new ArgumentException($"The policy is on {device} but the task's responses are on {task.AllResponses.device}; create the task and the policy with one ComputeContext.", nameof(policy));
        var responses = task.AllResponses;
        var prompts = task.Prompts[promptIndex].unsqueeze(0).expand(responses.shape[0], -1);
        var logp = SequenceScorer.LogProbs(policy, prompts, responses).to(ScalarType.Float64).cpu().data<double>().ToArray();
        return Softmax.Probabilities(logp);
    }

    /// <summary>The value of <paramref name="attribute"/> (e.g. the gold reward) on every response to prompt k.</summary>
    public static double[] Values(IEnumerableTask task, IRewardFunction attribute, int promptIndex)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        CheckPrompt(task, promptIndex);
        using var scope = NewDisposeScope();
        var prompts = task.Prompts[promptIndex].unsqueeze(0).expand(task.AllResponses.shape[0], -1);
        return attribute.Score(prompts, task.AllResponses).to(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <summary>The theory module's view of prompt k: the base's exact probabilities with the gold rewards.</summary>
    public static RewardDistribution BaseDistribution(IEnumerableTask task, ISequencePolicy basePolicy, int promptIndex) =>
        new(Probabilities(task, basePolicy, promptIndex), Values(task, task.GoldReward, promptIndex));

    /// <summary>Every prompt's <see cref="BaseDistribution"/>, uniformly weighted.</summary>
    public static PromptSet BasePromptSet(IEnumerableTask task, ISequencePolicy basePolicy) =>
        new(Enumerable.Range(0, PromptCount(task)).Select(k => BaseDistribution(task, basePolicy, k)).ToArray());

    /// <summary>Number of prompts of <paramref name="task"/>.</summary>
    public static int PromptCount(IEnumerableTask task) => (int)task.Prompts.shape[0];

    private static void CheckPrompt(IEnumerableTask task, int promptIndex)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (promptIndex < 0 || promptIndex >= PromptCount(task))
            throw new ArgumentException($"promptIndex must be in [0, {PromptCount(task)}) (got {promptIndex}).", nameof(promptIndex));
    }
}
