using AlignLab.Engine.Runtime;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>The checks of <see cref="Experiment.Validate"/>: everything that would fail later, found before training.</summary>
internal static class ExperimentValidation
{
    public static IReadOnlyList<string> Problems(Experiment experiment)
    {
        var problems = new List<string>();
        var task = experiment.Task;
        try
        {
            task.Config.Validate();
            (task.Base ?? experiment.Scale.EffectiveBase).Validate();
        }
        catch (ArgumentException e)
        {
            problems.Add($"task {task.Name}: {e.Message}");
        }
        if (!task.IsEnumerable)
            problems.Add($"task {task.Name} has {task.ResponseCount:N0} responses per prompt, more than the {TaskSpec.MaxEnumerableResponses:N0} "
                + "that exact evaluation (KL, win rate, best-of-n by enumeration) can list; shorten responseLength or vocabSize.");

        try
        {
            ComputeContext.ResolveDevice(experiment.Device);
        }
        catch (ArgumentException e)
        {
            problems.Add($"device: {e.Message}");
        }
        if (experiment.DType is not (ScalarType.Float64 or ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16))
            problems.Add($"dtype must be a floating-point type such as Float32 or Float64 (got {experiment.DType}).");
        if (experiment.Threads < 0) problems.Add($"threads must be >= 0, 0 meaning torch's own choice (got {experiment.Threads}).");

        var methods = experiment.MethodSpecs;
        if (methods.Count == 0)
            problems.Add("no methods to compare; add some with .Compare(Methods.BonBon(n: 8), Methods.Dpo(beta: 0.1), ...).");
        for (int i = 0; i < methods.Count; i++)
            foreach (var problem in methods[i].Problems())
                problems.Add($"method[{i}] {methods[i].DisplayName}: {problem}");
        // A row is filed under its key in the run's row store, so two rows with one key would be one row.
        foreach (var group in methods.Select((m, i) => (Key: m.Key(experiment.Seed), i)).GroupBy(x => x.Key).Where(g => g.Count() > 1))
            problems.Add($"methods [{string.Join(", ", group.Select(x => x.i))}] compute the same row (key {group.Key}: same method, parameters and seed); keep one.");
        foreach (var group in methods.Select((m, i) => (m.DisplayName, Key: m.Key(experiment.Seed), i)).GroupBy(x => x.DisplayName)
                     .Where(g => g.Select(x => x.Key).Distinct().Count() > 1))
            problems.Add($"methods [{string.Join(", ", group.Select(x => x.i))}] share the row name '{group.Key}'; give one a name with .Named(\"...\").");
        if (experiment.CheckpointEvery < 0)
            problems.Add($"checkpoints: every must be >= 1, or 0 for none but the last and Ctrl-C's (got {experiment.CheckpointEvery}).");

        var scale = experiment.Scale;
        if (scale.Steps < 1) problems.Add($"scale: Steps must be >= 1 (got {scale.Steps}).");
        if (!(scale.LearningRate > 0)) problems.Add($"scale: LearningRate must be > 0 (got {scale.LearningRate}).");
        if (scale.PairBatchSize < 1 || scale.PromptBatchSize < 1) problems.Add($"scale: batch sizes must be >= 1 (got {scale.PairBatchSize}, {scale.PromptBatchSize}).");
        if (scale.SamplesPerPrompt < 2) problems.Add($"scale: SamplesPerPrompt must be >= 2 for RLOO (got {scale.SamplesPerPrompt}).");
        if (scale.CdfSamples < 1) problems.Add($"scale: CdfSamples must be >= 1 (got {scale.CdfSamples}).");
        if (scale.LogEvery < 1) problems.Add($"scale: LogEvery must be >= 1 (got {scale.LogEvery}).");

        var known = Metrics.All.Select(m => m.Name).ToList();
        var metrics = experiment.EffectiveMetrics;
        for (int i = 0; i < metrics.Count; i++)
        {
            var name = metrics[i].Name;
            if (!known.Contains(name))
                problems.Add($"metric[{i}] '{name}' is unknown; known metrics: {string.Join(", ", known)} (Metrics.WinRate, Metrics.Kl, ...).");
        }
        foreach (var group in metrics.Select((m, i) => (m.Name, i)).GroupBy(x => x.Name).Where(g => g.Count() > 1))
            problems.Add($"metrics [{string.Join(", ", group.Select(x => x.i))}] name '{group.Key}' more than once; name each metric once.");
        if (experiment.FrontierSpecs.Count > 0 && !(metrics.Any(m => m.Name == "kl") && metrics.Any(m => m.Name == "win_rate")))
            problems.Add("frontiers are drawn in (KL, win rate); add Metrics.Kl and Metrics.WinRate to .Evaluate(...), or drop .WithFrontiers(...).");
        return problems;
    }
}
